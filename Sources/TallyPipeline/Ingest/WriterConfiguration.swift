/// Group-commit tuning. Defaults favour latency: a batch is whatever queued up during the previous commit.
public struct WriterConfiguration: Hashable, Sendable {
    /// Most events in one transaction.
    public var maxBatchEvents: Int
    /// How long the writer waits for more requests after the first one of a batch; 0 commits at once.
    public var commitDelay: Duration
    /// Events allowed to wait for a commit before new requests get `503 overloaded`.
    public var maxPendingEvents: Int

    /// The documented defaults (docs/api.md); `tally serve` passes its configured values.
    public init(maxBatchEvents: Int = 20_000, commitDelay: Duration = .zero, maxPendingEvents: Int = 200_000) {
        self.maxBatchEvents = maxBatchEvents
        self.commitDelay = commitDelay
        self.maxPendingEvents = maxPendingEvents
    }
}
