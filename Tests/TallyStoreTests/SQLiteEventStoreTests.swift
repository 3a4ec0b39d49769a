import Testing
import TallyCore
@testable import TallyStore

@Suite("SQLite event store")
struct SQLiteEventStoreTests {
    @Test func appendsEventsAndStatesAtomicallyAndReloadsThem() async throws {
        let dir = TemporaryDirectory()
        let events = [heartbeat("a", "m", position: 0, second: 0), heartbeat("a", "m", position: 10, second: 10),
                      ReceivedEvent(.watch(WatchEvent(user: "b", slug: "s", at: 40)), receivedAt: Timestamp(secondsSinceEpoch: 5))]
        let states = PlaybackProcessor().plan(events) { _ in nil }
        do {
            let store = try SQLiteEventStore(directory: dir.path)
            try await store.append(CommitBatch(events: events, states: states))
            try await store.close()
        }
        let reopened = try SQLiteEventStore(directory: dir.path)
        #expect(try await reopened.loadPlaybackStates() == states)
        #expect(try await reopened.countEvents(.heartbeat) == 2)
        #expect(try await reopened.countEvents(.watch) == 1)
        try await reopened.checkHealth()
        try await reopened.close()
    }

    @Test func upsertReplacesState() async throws {
        let dir = TemporaryDirectory()
        let store = try SQLiteEventStore(directory: dir.path)
        let processor = PlaybackProcessor()
        let first = processor.plan([heartbeat("a", "m", position: 0, second: 0)]) { _ in nil }
        try await store.append(CommitBatch(events: [heartbeat("a", "m", position: 0, second: 0)], states: first))
        let second = processor.plan([heartbeat("a", "m", position: 10, second: 10)]) { first[$0] }
        try await store.append(CommitBatch(events: [heartbeat("a", "m", position: 10, second: 10)], states: second))
        let loaded = try await store.loadPlaybackStates()
        #expect(loaded.count == 1)
        #expect(loaded[PlaybackKey(user: "a", content: "m")]?.watchMilliseconds == 10_000)
        try await store.close()
    }

    @Test func unusableDirectoryIsAClearError() {
        #expect(throws: StoreError.self) { try SQLiteEventStore(directory: "/proc/tally-cannot-create-here") }
    }
}
