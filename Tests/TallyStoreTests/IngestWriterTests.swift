import Logging
import ServiceLifecycle
import TallyCore
import Testing

@testable import TallyPipeline
@testable import TallySQLite

/// Runs `writer` in a service group for the duration of `body`, then shuts it down gracefully and closes its store.
func withRunningWriter<T: Sendable>(
    _ writer: IngestWriter, _ body: @Sendable () async throws -> T
) async throws -> T {
    let group = ServiceGroup(services: [writer], logger: Logger(label: "test"))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let result = try await body()
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        try await writer.store.close()
        return result
    }
}

/// A writer on a fresh SQLite store in `dir`, with its store (`withRunningWriter` closes it).
func makeWriter(
    _ dir: TemporaryDirectory, configuration: WriterConfiguration = WriterConfiguration(), hotKeys: Int = 200_000
) throws -> (IngestWriter, SQLiteEventStore) {
    let store = try SQLiteEventStore(directory: dir.path)
    let hotSet = PlaybackHotSet(rules: PlaybackRules(), capacity: hotKeys)
    return (IngestWriter(store: store, hotSet: hotSet, configuration: configuration, logger: Logger(label: "test")), store)
}

@Suite("Group-commit writer")
struct IngestWriterTests {
    @Test func concurrentRequestsAreAllCommittedAndVisible() async throws {
        let dir = TemporaryDirectory()
        let (writer, store) = try makeWriter(dir)
        try await withRunningWriter(writer) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for request in 0..<200 {
                    group.addTask {
                        // Every request: one user, 5 heartbeats 10 s apart → 40 s of watch time.
                        let events = (0..<5).map { heartbeat("user\(request)", "movie", position: Int64($0) * 10, second: Int64($0) * 10) }
                        try await writer.submit(events)
                        // Acknowledged means visible.
                        #expect(try await store.state(PlaybackKey(user: "user\(request)", content: "movie"))?.events == 5)
                    }
                }
                try await group.waitForAll()
            }
        }
        let reopened = try SQLiteEventStore(directory: dir.path)
        #expect(try await reopened.countEvents(.heartbeat) == 1000)
        let states = try await reopened.loadPlaybackStates()
        #expect(states.count == 200)
        #expect(states.values.allSatisfy { $0.watchMilliseconds == 40_000 })
        let totals = try await reopened.totals(content: "movie")
        #expect(totals?.watchMilliseconds == Int64(200 * 40_000))
        #expect(totals?.viewers == 200)
        try await reopened.close()
    }

    /// The writer hands the store the states it planned from, and the store moves each title's totals by the
    /// difference without reading the rows again: over batches that add viewers and update old ones (some from a
    /// hot set too small to hold them), the totals must equal the sum of the stored states.
    @Test func totalsMovedByPlannedDifferencesEqualTheStates() async throws {
        let dir = TemporaryDirectory()
        let (writer, _) = try makeWriter(dir, hotKeys: 40)
        try await withRunningWriter(writer) {
            for round in 0..<12 {
                let events = (0..<60).map { index -> ReceivedEvent in
                    let user = (round * 17 + index * 7) % 90
                    return heartbeat("user\(user)", "movie\(user % 3)", position: Int64(round * 10), second: Int64(round * 10))
                }
                try await writer.submit(events)
            }
        }
        let reopened = try SQLiteEventStore(directory: dir.path)
        let states = try await reopened.loadPlaybackStates()
        for content in ["movie0", "movie1", "movie2"] {
            let mine = states.filter { $0.key.content == content }.map(\.value)
            let totals = try #require(try await reopened.totals(content: content))
            #expect(totals.viewers == mine.count)
            #expect(totals.watchMilliseconds == mine.reduce(0) { $0 + $1.watchMilliseconds })
            #expect(totals.events == mine.reduce(0) { $0 + $1.events })
        }
        #expect(states.values.contains { $0.events > 1 })
        try await reopened.close()
    }

    @Test func concurrentUpdatesToOneKeyNeverLoseAnUpdate() async throws {
        let dir = TemporaryDirectory()
        let (writer, _) = try makeWriter(dir)
        try await withRunningWriter(writer) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<300 {
                    group.addTask {
                        try await writer.submit([
                            ReceivedEvent(
                                .watch(WatchEvent(user: "u", slug: "s", at: 2)),
                                receivedAt: Timestamp(millisecondsSinceEpoch: Int64(i)))
                        ])
                    }
                }
                try await group.waitForAll()
            }
        }
        let reopened = try SQLiteEventStore(directory: dir.path)
        let state = try await reopened.state(PlaybackKey(user: "u", content: "s"))
        #expect(state?.events == 300)
        #expect(state?.watchMilliseconds == 600_000)
        try await reopened.close()
    }

    @Test func failedCommitAcknowledgesNothingAndPublishesNothing() async throws {
        let hotSet = PlaybackHotSet(rules: PlaybackRules())
        let writer = IngestWriter(
            store: FailingStore(), hotSet: hotSet, configuration: WriterConfiguration(), logger: Logger(label: "test"))
        _ = try await withRunningWriter(writer) {
            await #expect(throws: StoreError.self) {
                try await writer.submit([heartbeat("a", "m", position: 0, second: 0)])
            }
        }
        #expect(hotSet.count == 0)
    }

    @Test func gracefulShutdownCommitsEverythingQueued() async throws {
        let dir = TemporaryDirectory()
        // A long commit delay keeps requests queued when shutdown starts.
        let (writer, _) = try makeWriter(dir, configuration: WriterConfiguration(commitDelay: .milliseconds(300)))
        let group = ServiceGroup(services: [writer], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for i in 0..<50 {
                tasks.addTask { try await writer.submit([heartbeat("u\(i)", "m", position: 0, second: 0)]) }
            }
            try await Task.sleep(for: .milliseconds(50))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        try await writer.store.close()
        await #expect(throws: IngestError.shuttingDown) {
            try await writer.submit([heartbeat("late", "m", position: 0, second: 0)])
        }
        let reopened = try SQLiteEventStore(directory: dir.path)
        #expect(try await reopened.countEvents(.heartbeat) == 50)
        try await reopened.close()
    }

    @Test func backPressureRefusesWhenTooMuchIsPending() async throws {
        let queue = CommitQueue(maxPendingEvents: 10)
        let events = (0..<8).map { heartbeat("u", "m", position: Int64($0), second: Int64($0)) }
        let first = Task { try await queue.submit(.playback(events)) }
        while queue.pendingEvents == 0 { await Task.yield() }
        await #expect(throws: IngestError.overloaded(pendingLimit: 10)) { try await queue.submit(.playback(events)) }
        let taken = await queue.take(maxEvents: 100)
        #expect(taken?.count == 1)
        for request in taken ?? [] { request.succeed() }
        _ = try await first.value
        queue.finish()
        #expect(await queue.take(maxEvents: 100) == nil)
    }
}
