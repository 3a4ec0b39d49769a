import TallyCore

/// What one commit changes for one session: its new header, the entries appended, and the materialized tree when
/// the session completed in this commit.
public struct SessionCommit: Sendable {
    /// The session's header after the commit.
    public var header: SessionHeader
    /// Entries appended, with their ordinals in the session.
    public var stored: [(ordinal: Int, entry: SessionEntry)]
    /// The rendered tree (`status: complete`), set when `SESSION_END` was stored in this commit.
    public var tree: [UInt8]?

    /// One session's change in a commit.
    public init(header: SessionHeader, stored: [(ordinal: Int, entry: SessionEntry)], tree: [UInt8]? = nil) {
        self.header = header
        self.stored = stored
        self.tree = tree
    }
}

/// Reads of stored session traces. Writes go through `EventStore.append`, in the same transaction as every
/// other event of the batch.
public protocol SessionStore: Sendable {
    /// Whether other servers may write the same sessions (PostgreSQL). The writer then plans every session from
    /// its stored header: a header it cached may be behind another server's commits.
    var sharesSessionsWithOtherServers: Bool { get }
    func sessionHeader(id: String) async throws -> SessionHeader?
    /// Entries with an ordinal above `after`, in arrival order, at most `limit`.
    func sessionEntries(id: String, after: Int, limit: Int) async throws -> [(ordinal: Int, entry: SessionEntry)]
    /// The tree materialized when the session completed.
    func sessionTree(id: String) async throws -> [UInt8]?
    /// Most recently active sessions first, optionally of one status.
    func listSessions(status: SessionHeader.Status?, limit: Int, now: Timestamp, abandonAfter: Duration) async throws -> [SessionHeader]
}

extension SessionHeader {
    /// A header as a store keeps it: the start and end entries as their timestamps.
    package init(stored id: String, start: Int64?, end: Int64?, entries: Int, lastSeq: Int64?, lastActivity: Int64) {
        self.init(
            id: id, start: start.map { SessionEntry(kind: .start(sessionId: id), timestamp: $0) },
            end: end.map { SessionEntry(kind: .end(sessionId: id), timestamp: $0) }, entryCount: entries,
            lastSeq: lastSeq, lastActivity: Timestamp(millisecondsSinceEpoch: lastActivity))
    }
}

extension SessionEntry {
    /// An entry as a store keeps it: its type name, and a name for events.
    package init(stored type: String, sessionId: String, timestamp: Int64, name: String?) {
        let kind: Kind =
            switch type {
            case "SESSION_START": .start(sessionId: sessionId)
            case "SESSION_END": .end(sessionId: sessionId)
            default: .event(name: name ?? "")
            }
        self.init(kind: kind, timestamp: timestamp)
    }
}
