import TallyCore

/// Where the playback query endpoints read from. A single server answers from its in-memory `PlaybackView`
/// (exact, since its writer is the only one); servers sharing PostgreSQL read the committed rows instead, so
/// that a write acknowledged by any server is visible to a read on every server at once.
public protocol PlaybackReader: Sendable {
    func state(_ key: PlaybackKey) async throws -> PlaybackState?
    func totals(content: String) async throws -> PlaybackIndex.ContentTotals?
    /// The user's titles and states, or nil for a user with none.
    func titlesAndStates(user: String) async throws -> [(content: String, state: PlaybackState)]?
}

extension PlaybackView: PlaybackReader {
    public func state(_ key: PlaybackKey) async throws -> PlaybackState? { read { $0.state(key) } }
    public func totals(content: String) async throws -> PlaybackIndex.ContentTotals? { read { $0.totals(content: content) } }
    public func titlesAndStates(user: String) async throws -> [(content: String, state: PlaybackState)]? {
        read { $0.titlesAndStates(user: user) }
    }
}
