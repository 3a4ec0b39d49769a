/// One entry of a session trace, as a client sends it.
public struct SessionEntry: Hashable, Sendable {
    /// The three entry types of the brief.
    public enum Kind: Hashable, Sendable {
        /// `SESSION_START` with the session id it names.
        case start(sessionId: String)
        /// `SESSION_END` with the session id it names.
        case end(sessionId: String)
        /// `EVENT` with its name.
        case event(name: String)

        /// The type as the brief spells it, for output.
        public var typeName: String {
            switch self {
            case .start: return "SESSION_START"
            case .end: return "SESSION_END"
            case .event: return "EVENT"
            }
        }
    }

    /// What the entry is.
    public var kind: Kind
    /// The timestamp exactly as sent: unix seconds, or milliseconds when above 10^11. Output keeps the unit.
    public var timestamp: Int64

    /// An entry as decoded.
    public init(kind: Kind, timestamp: Int64) {
        self.kind = kind
        self.timestamp = timestamp
    }

    /// Values above this are milliseconds (10^11 s is the year 5138; 10^11 ms is 1973).
    public static let millisecondThreshold: Int64 = 100_000_000_000

    /// The timestamp in milliseconds, for ordering entries that mix units.
    public var milliseconds: Int64 {
        timestamp > Self.millisecondThreshold ? timestamp : timestamp * 1000
    }
}

/// One message of a session stream: a non-empty array of entries, optionally numbered so a resend after a
/// reconnect is recognised and not applied twice.
public struct SessionMessage: Hashable, Sendable {
    /// The entries in the order sent.
    public var entries: [SessionEntry]
    /// The message's number, from 1, when the client numbers its messages.
    public var seq: Int64?

    /// A message as decoded.
    public init(entries: [SessionEntry], seq: Int64? = nil) {
        self.entries = entries
        self.seq = seq
    }
}
