import TallyCore
import TallyPipeline

/// A store that is down: every write and health check fails with `StoreError`, reads find nothing. Proves that
/// failures store nothing, acknowledge nothing, and surface as 503.
public struct FailingStore: TallyStorage {
    struct Down: Error {}

    public init() {}

    public func loadPlaybackStates() async throws -> [PlaybackKey: PlaybackState] { [:] }
    public func playbackStates(for keys: [PlaybackKey]) async throws -> [PlaybackKey: PlaybackState] {
        throw StoreError(operation: "reading playback states", underlying: Down())
    }
    public func checkStoredPlaybackStates() async throws -> Int? { nil }
    public func state(_ key: PlaybackKey) async throws -> PlaybackState? {
        throw StoreError(operation: "reading a playback state", underlying: Down())
    }
    public func totals(content: String) async throws -> ContentTotals? {
        throw StoreError(operation: "reading content totals", underlying: Down())
    }
    public func titlesAndStates(user: String) async throws -> [(content: String, state: PlaybackState)]? {
        throw StoreError(operation: "reading a user's playback states", underlying: Down())
    }
    public func append(_ batch: CommitBatch) async throws -> [PlaybackKey: PlaybackState] {
        throw StoreError(operation: "append", underlying: Down())
    }
    public func countEvents(_ kind: EventKind) async throws -> Int { 0 }
    public func checkHealth() async throws { throw StoreError(operation: "health", underlying: Down()) }
    public func checkWritable() async throws { throw StoreError(operation: "write check", underlying: Down()) }
    public func close() async throws {}
    public func quarantinedRows(limit: Int) async throws -> (count: Int, rows: [QuarantinedRow]) { (0, []) }
    public func saveResumeWindows(_ records: [ResumeRecord]) async throws {}
    public func resumeWindow(user: String, start: Timestamp) async throws -> ResumeRecord? { nil }
    public func latestResumeWindow(user: String) async throws -> ResumeRecord? { nil }
    public func pruneResumeWindows(before cutoff: Timestamp) async throws -> Int { 0 }
    public func lastResumeWindowEnd() async throws -> Timestamp? { nil }
    public func latestHeartbeatTime() async throws -> Timestamp? { nil }
    public func heartbeatsToReplay(from: Timestamp) async throws -> Int { 0 }
    public func replayHeartbeats(from: Timestamp, _ body: @Sendable ([Heartbeat]) -> Void) async throws {}
    public func storedResumeWindows(startingFrom from: Timestamp, _ body: @Sendable ([ResumeRecord]) -> Void) async throws {}
    public var sharesSessionsWithOtherServers: Bool { false }
    public func sessionHeader(id: String) async throws -> SessionHeader? {
        throw StoreError(operation: "session", underlying: Down())
    }
    public func sessionEntries(id: String, after: Int, limit: Int) async throws -> [(ordinal: Int, entry: SessionEntry)] { [] }
    public func sessionTree(id: String) async throws -> [UInt8]? { nil }
    public func adCounts(_ hour: AdHour) async throws -> AdHourCounts {
        throw StoreError(operation: "ad counts", underlying: Down())
    }
    public func adCounts(_ hours: ClosedRange<AdHour>) async throws -> [AdHour: AdHourCounts] {
        throw StoreError(operation: "ad counts", underlying: Down())
    }
    public func listSessions(status: SessionHeader.Status?, limit: Int, now: Timestamp, abandonAfter: Duration) async throws
        -> [SessionHeader]
    { [] }
}

extension FailingStore {
    public func createAPIKey(_ record: APIKeyRecord) async throws { throw StoreError(operation: "creating an API key", underlying: Down()) }
    public func apiKeys() async throws -> [APIKeyRecord] { throw StoreError(operation: "reading API keys", underlying: Down()) }
    public func revokeAPIKey(id: String, at time: Timestamp) async throws -> Bool {
        throw StoreError(operation: "revoking an API key", underlying: Down())
    }
    public func recordAPIKeyUse(_ uses: [String: Timestamp]) async throws {
        throw StoreError(operation: "recording API key use", underlying: Down())
    }
}
