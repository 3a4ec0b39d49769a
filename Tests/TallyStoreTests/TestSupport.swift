import Foundation
@_exported import TallyTestSupport
import TallyCore
@testable import TallyStore

func heartbeat(_ user: String, _ movie: String, position: Int64, second: Int64) -> ReceivedEvent {
    ReceivedEvent(
        .heartbeat(Heartbeat(userId: user, movieId: movie, duration: 7200, position: position,
                             timestamp: Timestamp(secondsSinceEpoch: 1_635_254_400 + second))),
        receivedAt: Timestamp(secondsSinceEpoch: 1_700_000_000 + second))
}

/// A store that fails every append, to prove failures store nothing and acknowledge nothing.
struct FailingStore: EventStore {
    struct Boom: Error {}
    func loadPlaybackStates() async throws -> [PlaybackKey: PlaybackState] { [:] }
    func append(_ events: [ReceivedEvent], states: [PlaybackKey: PlaybackState], sessions: [SessionCommit]) async throws {
        throw StoreError(operation: "append", underlying: Boom())
    }
    func countEvents(_ kind: EventKind) async throws -> Int { 0 }
    func checkHealth() async throws { throw StoreError(operation: "health", underlying: Boom()) }
    func close() async throws {}
}
