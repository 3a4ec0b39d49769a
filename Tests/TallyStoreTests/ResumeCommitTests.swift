import GRDB
import Logging
import TallyCore
import Testing

@testable import TallyPipeline
@testable import TallySQLite

@Suite("Resume arrays commit with their heartbeats")
struct ResumeCommitTests {
    /// A writer whose heartbeats feed a resume view (one user's heartbeat is enough to move its clock).
    private func makeResumeWriter(_ dir: TemporaryDirectory) throws -> (IngestWriter, ResumeView, SQLiteEventStore) {
        let store = try SQLiteEventStore(directory: dir.path)
        let view = ResumeView(configuration: ResumeConfiguration(lateness: .zero, late: .emit, corroboration: 1))
        let writer = IngestWriter(
            store: store, hotSet: PlaybackHotSet(rules: PlaybackRules()), configuration: WriterConfiguration(),
            resume: (view, store), logger: Logger(label: "test"))
        return (writer, view, store)
    }

    private func movies(_ record: ResumeRecord?) -> String { record.map { String(decoding: $0.json, as: UTF8.self) } ?? "none" }

    @Test func theArraysAHeartbeatClosesAreStoredWhenItIsAcknowledged() async throws {
        let dir = TemporaryDirectory()
        let (writer, _, store) = try makeResumeWriter(dir)
        let windowStart = Timestamp(secondsSinceEpoch: 1_635_254_400)
        try await withRunningWriter(writer) {
            try await writer.submit([heartbeat("a", "m1", position: 10, second: 5)])
            #expect(try await store.resumeWindow(user: "a", start: windowStart) == nil)
            try await writer.submit([heartbeat("b", "m1", position: 10, second: 61)])
            // No wait: the array was written in the same transaction as the heartbeat that closed its window.
            #expect(movies(try await store.resumeWindow(user: "a", start: windowStart)).contains("m1"))
        }
    }

    @Test func aFailedCommitLeavesNoTraceInTheWindows() async throws {
        let dir = TemporaryDirectory()
        let (writer, view, store) = try makeResumeWriter(dir)
        // Any batch with this user fails inside SQLite, after the resume view has staged it.
        try await store.pool.write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER poison BEFORE INSERT ON heartbeats WHEN NEW.user_id = 'poison'
                    BEGIN SELECT RAISE(ABORT, 'poisoned'); END
                    """)
        }
        let windowStart = Timestamp(secondsSinceEpoch: 1_635_254_400)
        let stream = view.subscribe(maxBufferedBytes: 1 << 20)
        try await withRunningWriter(writer) {
            try await writer.submit([heartbeat("a", "m1", position: 10, second: 5)])
            await #expect(throws: StoreError.self) {
                try await writer.submit([heartbeat("a", "m2", position: 20, second: 6), heartbeat("poison", "m1", position: 1, second: 70)])
            }
            try await writer.submit([heartbeat("b", "m1", position: 10, second: 61)])
            let stored = movies(try await store.resumeWindow(user: "a", start: windowStart))
            #expect(stored.contains("m1"))
            #expect(!stored.contains("m2"), "the failed batch's heartbeat reached the stored array: \(stored)")
        }
        view.finishSubscribers()
        var streamed: [String] = []
        for await item in stream {
            if case .record(let record) = item { streamed.append(String(decoding: record.json, as: UTF8.self)) }
        }
        #expect(!streamed.isEmpty)
        #expect(streamed.allSatisfy { !$0.contains("m2") }, "a subscriber saw an array that was never committed: \(streamed)")
    }

    /// After a restart, a late heartbeat revises the closed window it belongs to: the stored array is put back
    /// first, so the revision keeps the window's earlier movies.
    @Test func aLateHeartbeatAfterARestartKeepsTheWindowsEarlierMovies() async throws {
        let dir = TemporaryDirectory()
        let windowStart = Timestamp(secondsSinceEpoch: 1_635_254_400)
        do {
            let (writer, _, _) = try makeResumeWriter(dir)
            try await withRunningWriter(writer) {
                try await writer.submit([heartbeat("a", "m1", position: 10, second: 5)])
                try await writer.submit([heartbeat("b", "m1", position: 10, second: 61)])
            }
        }
        let store = try SQLiteEventStore(directory: dir.path)
        let view = ResumeView(configuration: ResumeConfiguration(lateness: .zero, late: .emit, corroboration: 1))
        _ = try await view.restore(from: store)
        let writer = IngestWriter(
            store: store, hotSet: PlaybackHotSet(rules: PlaybackRules()), configuration: WriterConfiguration(),
            resume: (view, store), logger: Logger(label: "test"))
        try await withRunningWriter(writer) {
            try await writer.submit([heartbeat("a", "m2", position: 20, second: 30)])
            let stored = try await store.resumeWindow(user: "a", start: windowStart)
            #expect(stored?.revision == 1)
            #expect(movies(stored).contains("m1"), "the restart lost the window's earlier movie: \(movies(stored))")
            #expect(movies(stored).contains("m2"))
        }
    }

    @Test func aBatchWritesEachWindowOnceWithItsLatestRevision() {
        let window = EventWindow(
            unit: .minute, start: Timestamp(millisecondsSinceEpoch: 0), end: Timestamp(millisecondsSinceEpoch: 60_000))
        let later = EventWindow(
            unit: .minute, start: Timestamp(millisecondsSinceEpoch: 60_000), end: Timestamp(millisecondsSinceEpoch: 120_000))
        let records = [
            ResumeRecord(userId: "a", window: window, revision: 1, json: Array("a1".utf8)),
            ResumeRecord(userId: "b", window: window, revision: 1, json: Array("b1".utf8)),
            ResumeRecord(userId: "a", window: window, revision: 2, json: Array("a2".utf8)),
            ResumeRecord(userId: "a", window: later, revision: 0, json: Array("a0".utf8)),
        ]
        let kept = CommitBatch(resumeWindows: records).resumeWindows
        #expect(kept.map { String(decoding: $0.json, as: UTF8.self) } == ["b1", "a2", "a0"])
    }
}
