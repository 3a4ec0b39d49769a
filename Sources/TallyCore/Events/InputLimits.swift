/// Bounds on every input, so that no request can make Tally allocate or compute without limit.
///
/// The defaults are documented in docs/api.md; each is named in the error a client gets when it exceeds it.
public struct InputLimits: Hashable, Sendable {
    /// Longest user or content id, in UTF-8 bytes.
    public var maxIdBytes: Int
    /// Most events in one batch request.
    public var maxBatchItems: Int
    /// Largest accepted number of seconds for `duration`, `position` and `at` (about 31 years), which keeps
    /// every sum of watch time far from overflow.
    public var maxSeconds: Int64

    /// The defaults are the documented ones; the server passes its configured values.
    public init(maxIdBytes: Int = 256, maxBatchItems: Int = 10_000, maxSeconds: Int64 = 1_000_000_000) {
        self.maxIdBytes = maxIdBytes
        self.maxBatchItems = maxBatchItems
        self.maxSeconds = maxSeconds
    }

    /// The documented defaults.
    public static let `default` = InputLimits()
}
