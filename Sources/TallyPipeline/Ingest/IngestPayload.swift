import TallyCore

/// What one request hands to the writer.
public enum IngestPayload: Sendable {
    /// Heartbeats and watch events, all stored or none.
    case playback([ReceivedEvent])
    /// One session message, checked against the session's state at commit time (so concurrent streams of one
    /// session are ordered by the writer).
    case session(id: String, message: SessionMessage, receivedAt: Timestamp)
    /// Ad clicks and impressions, counted into their hours in the commit's transaction.
    case ads([AdEvent])

    /// Weight in the batch and back-pressure accounting.
    var weight: Int {
        switch self {
        case .playback(let events): return events.count
        case .session(_, let message, _): return message.entries.count
        case .ads(let ads): return ads.count
        }
    }
}

/// What the writer answers once a request is durable.
public enum IngestReceipt: Hashable, Sendable {
    /// Events stored; the client gets `202`.
    case stored
    /// A session message applied, with the counts the client is told.
    case session(SessionAck)
}

/// The acknowledgement of one session message: `{"accepted":N,"total":T}`.
public struct SessionAck: Hashable, Sendable {
    /// Entries of this message stored now (0 for a resend or an idempotent repeat).
    public var accepted: Int
    /// Entries of the session stored in all.
    public var total: Int
    /// The message's `seq` had already been applied.
    public var duplicate: Bool
    /// The session has its `SESSION_END`.
    public var complete: Bool

    /// An acknowledgement with its counts.
    public init(accepted: Int, total: Int, duplicate: Bool, complete: Bool) {
        self.accepted = accepted
        self.total = total
        self.duplicate = duplicate
        self.complete = complete
    }
}
