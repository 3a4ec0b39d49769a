import TallyCore

/// Where the playback query endpoints read from: the store's committed rows, so that memory does not grow with
/// the keys, and on PostgreSQL a write acknowledged by any server is visible to a read on every server at once.
public protocol PlaybackReader: Sendable {
    func state(_ key: PlaybackKey) async throws -> PlaybackState?
    func totals(content: String) async throws -> ContentTotals?
    /// The user's titles and states, or nil for a user with none.
    func titlesAndStates(user: String) async throws -> [(content: String, state: PlaybackState)]?
}
