import TallyCore

/// What one commit changes for one session: its new header, the entries appended, and the materialized tree when
/// the session completed in this commit.
public struct SessionCommit: Sendable {
    public var header: SessionHeader
    public var stored: [(ordinal: Int, entry: SessionEntry)]
    /// The rendered tree (`status: complete`), set when `SESSION_END` was stored in this commit.
    public var tree: [UInt8]?

    public init(header: SessionHeader, stored: [(ordinal: Int, entry: SessionEntry)], tree: [UInt8]? = nil) {
        self.header = header
        self.stored = stored
        self.tree = tree
    }
}

/// Reads of stored session traces. Writes go through `EventStore.append`, in the same transaction as every
/// other event of the batch.
public protocol SessionStore: Sendable {
    func sessionHeader(id: String) async throws -> SessionHeader?
    /// Entries with an ordinal above `after`, in arrival order, at most `limit`.
    func sessionEntries(id: String, after: Int, limit: Int) async throws -> [(ordinal: Int, entry: SessionEntry)]
    /// The tree materialized when the session completed.
    func sessionTree(id: String) async throws -> [UInt8]?
    /// Most recently active sessions first, optionally of one status.
    func listSessions(status: SessionHeader.Status?, limit: Int, now: Timestamp, abandonAfter: Duration) async throws -> [SessionHeader]
}
