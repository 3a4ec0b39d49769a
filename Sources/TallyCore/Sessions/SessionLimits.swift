/// Bounds on session traffic; each is named in the error that enforces it.
public struct SessionLimits: Hashable, Sendable {
    /// Entries in one message.
    public var maxEntriesPerMessage: Int
    /// Entries in one session, over all its messages.
    public var maxEntriesPerSession: Int
    /// Bytes of an event name or a session id.
    public var maxNameBytes: Int
    /// Bytes of one message (a WebSocket frame or an HTTP body).
    public var maxMessageBytes: Int

    /// The documented defaults (docs/api.md).
    public init(
        maxEntriesPerMessage: Int = 1000, maxEntriesPerSession: Int = 100_000, maxNameBytes: Int = 256,
        maxMessageBytes: Int = 1 << 20
    ) {
        self.maxEntriesPerMessage = maxEntriesPerMessage
        self.maxEntriesPerSession = maxEntriesPerSession
        self.maxNameBytes = maxNameBytes
        self.maxMessageBytes = maxMessageBytes
    }

    /// The documented defaults.
    public static let `default` = SessionLimits()
}
