import Foundation
import GRDB
import Logging
import ServiceLifecycle
import TallyCore
import Testing

@testable import TallyPipeline
@testable import TallySQLite

/// Derived state behind the log: commits journal it, reads lay the backlog over the tables, a flush writes it, and a
/// crash image applies the journal when it opens. Every answer must equal a store that writes through.
@Suite("SQLite write-behind of derived state")
struct WriteBehindTests {
    static let never = SQLiteEventStore.WriteBehind(interval: .seconds(3600))
    static let through = SQLiteEventStore.WriteBehind(interval: .zero)

    /// Heartbeats of three users over three minutes, late ones revising closed windows, and watch events.
    static let batches: [[ReceivedEvent]] = (0..<12).map { step in
        var batch = (0..<3).map { user in heartbeat("u\(user)", "m\(step % 2)", position: Int64(step * 15), second: Int64(step * 15)) }
        if step % 4 == 3 { batch.append(heartbeat("u0", "m9", position: 5, second: Int64(step * 15 - 70))) }
        if step % 5 == 4 {
            batch.append(
                ReceivedEvent(
                    .watch(WatchEvent(user: "u1", slug: "s1", at: Int64(step))), receivedAt: Timestamp(secondsSinceEpoch: 1_700_000_000)))
        }
        return batch
    }

    /// Runs every batch through a writer with a resume view on `store`, one request per batch, and stops the
    /// writer without closing the store.
    static func ingest(_ batches: [[ReceivedEvent]], into store: SQLiteEventStore) async throws {
        let view = ResumeView(configuration: ResumeConfiguration(lateness: .zero, late: .emit, corroboration: 1))
        let writer = IngestWriter(
            store: store, hotSet: PlaybackHotSet(rules: PlaybackRules()), configuration: WriterConfiguration(),
            resume: (view, store), logger: Logger(label: "test"))
        let group = ServiceGroup(services: [writer], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for batch in batches { try await writer.submit(batch) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// Every answer a query can give about the keys of `batches`.
    static func answers(_ store: SQLiteEventStore) async throws -> [String] {
        var answers: [String] = []
        for user in ["u0", "u1", "u2"] {
            let titles = try await store.titlesAndStates(user: user)?.sorted { $0.content < $1.content }
            answers.append("\(user) titles \(titles.map { $0.map { "\($0.content) \($0.state)" } } ?? [])")
            answers.append("\(user) latest \(describe(try await store.latestResumeWindow(user: user)))")
            for minute in 0..<4 {
                let start = Timestamp(secondsSinceEpoch: 1_635_254_400 + Int64(minute * 60))
                answers.append("\(user) \(minute) \(describe(try await store.resumeWindow(user: user, start: start)))")
            }
        }
        for content in ["m0", "m1", "m9", "s1"] {
            answers.append("\(content) \(String(describing: try await store.totals(content: content)))")
        }
        answers.append("state \(String(describing: try await store.state(PlaybackKey(user: "u0", content: "m9"))))")
        return answers
    }

    /// Records each answer that differs, so a failure names the query.
    static func expectSame(_ actual: [String], _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, sourceLocation: sourceLocation)
        for (got, want) in zip(actual, expected) where got != want {
            Issue.record("got \(got)\nwant \(want)", sourceLocation: sourceLocation)
        }
    }

    static func describe(_ record: ResumeRecord?) -> String {
        record.map { "\($0.window) revision \($0.revision) \(String(decoding: $0.json, as: UTF8.self))" } ?? "none"
    }

    /// The files as a power cut would leave them: every commit is in the WAL, nothing was flushed or closed.
    static func crashImage(of path: String) throws -> TemporaryDirectory {
        let crashed = TemporaryDirectory()
        for suffix in ["", "-wal"] {
            try FileManager.default.copyItem(atPath: path + suffix, toPath: crashed.path + "/tally.sqlite" + suffix)
        }
        return crashed
    }

    static func count(_ table: String, in path: String) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? -1 }
    }

    @Test func readsSeeEveryCommitBeforeTheTablesDo() async throws {
        let behindDir = TemporaryDirectory()
        let throughDir = TemporaryDirectory()
        let behind = try SQLiteEventStore(directory: behindDir.path, writeBehind: Self.never)
        let through = try SQLiteEventStore(directory: throughDir.path, writeBehind: Self.through)
        try await Self.ingest(Self.batches, into: behind)
        try await Self.ingest(Self.batches, into: through)

        #expect(try Self.count("playback_state", in: behind.path) == 0)
        #expect(try Self.count("resume_windows", in: behind.path) == 0)
        #expect(try Self.count("derived_journal", in: behind.path) == Self.batches.count)
        #expect(try Self.count("derived_journal", in: through.path) == 0)
        let expected = try await Self.answers(through)
        #expect(expected.contains { $0.hasPrefix("u0 latest minute") && $0.contains("m9") })
        Self.expectSame(try await Self.answers(behind), expected)

        try await behind.flushDerived()
        #expect(try Self.count("derived_journal", in: behind.path) == 0)
        #expect(try Self.count("playback_state", in: behind.path) == Self.count("playback_state", in: through.path))
        Self.expectSame(try await Self.answers(behind), expected)
        #expect(try await behind.loadPlaybackStates() == through.loadPlaybackStates())
        try await behind.close()
        try await through.close()
    }

    @Test func aCrashImageAppliesTheJournalWhenItOpens() async throws {
        let dir = TemporaryDirectory()
        let store = try SQLiteEventStore(directory: dir.path, writeBehind: Self.never)
        // Half the batches reach the tables, the rest only the journal.
        try await Self.ingest(Array(Self.batches.prefix(6)), into: store)
        try await store.flushDerived()
        try await Self.ingest(Array(Self.batches.dropFirst(6)), into: store)
        #expect(try Self.count("derived_journal", in: store.path) == 6)
        let crashed = try Self.crashImage(of: store.path)
        let expected = try await Self.answers(store)
        let reopened = try SQLiteEventStore(directory: crashed.path, writeBehind: Self.never)
        #expect(try Self.count("derived_journal", in: reopened.path) == 0)
        Self.expectSame(try await Self.answers(reopened), expected)
        #expect(try await reopened.loadPlaybackStates() == store.loadPlaybackStates())
        try await reopened.close()
        try await store.close()
    }

    /// Layers written one title per commit: after every commit the answers equal a write-through store's, and a
    /// crash image taken while a layer is half written opens to the same answers (each title's totals row moves with
    /// its states, so the journal's differences are applied to rows that match them).
    @Test func layersWrittenInChunksAnswerTheSameAtEveryCommitAndAfterACrash() async throws {
        let chunkedDir = TemporaryDirectory()
        let throughDir = TemporaryDirectory()
        let chunked = try SQLiteEventStore(
            directory: chunkedDir.path, writeBehind: SQLiteEventStore.WriteBehind(interval: .milliseconds(1), chunkRows: 1))
        let through = try SQLiteEventStore(directory: throughDir.path, writeBehind: Self.through)
        var sawHalfWritten = false
        for (index, batch) in Self.batches.enumerated() {
            try await Task.sleep(for: .milliseconds(2))
            try await Self.ingest([batch], into: chunked)
            try await Self.ingest([batch], into: through)
            Self.expectSame(try await Self.answers(chunked), try await Self.answers(through))
            guard chunked.backlog.withLock({ $0.flushing != nil }), !sawHalfWritten else { continue }
            sawHalfWritten = true
            let crashed = try Self.crashImage(of: chunked.path)
            let reopened = try SQLiteEventStore(directory: crashed.path, writeBehind: Self.never)
            Self.expectSame(try await Self.answers(reopened), try await Self.answers(through))
            #expect(try await reopened.loadPlaybackStates() == through.loadPlaybackStates(), "after batch \(index)")
            try await reopened.close()
        }
        #expect(sawHalfWritten, "no commit left a layer half written")
        try await chunked.close()
        try await through.close()
    }

    @Test func aFlushThatFailsKeepsIngestGoingThenCatchesUp() async throws {
        let dir = TemporaryDirectory()
        let store = try SQLiteEventStore(directory: dir.path, writeBehind: SQLiteEventStore.WriteBehind(interval: .zero, maxBacklogRows: 2))
        try await store.pool.write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER refuse BEFORE INSERT ON playback_state WHEN NEW.content_id = 'refused'
                    BEGIN SELECT RAISE(ABORT, 'refused'); END
                    """)
        }
        // The state cannot reach its table: the commit journals it instead, and reads still see it.
        try await Self.ingest([[heartbeat("u", "refused", position: 10, second: 0)]], into: store)
        #expect(try await store.state(PlaybackKey(user: "u", content: "refused"))?.position == 10)
        #expect(try await store.countEvents(.heartbeat) == 1)
        #expect(try Self.count("derived_journal", in: store.path) == 1)
        // Past the backlog's bound, a commit fails rather than grow it further.
        await #expect(throws: (any Error).self) {
            try await Self.ingest(
                [[heartbeat("v", "refused", position: 20, second: 1)], [heartbeat("w", "refused", position: 5, second: 2)]], into: store)
        }
        try await store.pool.write { db in try db.execute(sql: "DROP TRIGGER refuse") }
        try await Self.ingest([[heartbeat("u", "refused", position: 30, second: 3)]], into: store)
        #expect(try Self.count("derived_journal", in: store.path) == 0)
        #expect(try await store.totals(content: "refused")?.events == Int64(try await store.countEvents(.heartbeat)))
        #expect(try await store.state(PlaybackKey(user: "u", content: "refused"))?.position == 30)
        try await store.close()
    }

    @Test func aDamagedJournalRowIsQuarantinedAndTheRestApplied() async throws {
        let dir = TemporaryDirectory()
        let store = try SQLiteEventStore(directory: dir.path, writeBehind: Self.never)
        try await Self.ingest([[heartbeat("u", "m", position: 10, second: 0)]], into: store)
        try await store.pool.write { db in
            try db.execute(sql: "INSERT INTO derived_journal (payload) VALUES (x'54444A31FF')")
            try db.execute(sql: "INSERT INTO derived_journal (payload) VALUES ('not a blob')")
        }
        let crashed = try Self.crashImage(of: store.path)
        let reopened = try SQLiteEventStore(directory: crashed.path)
        #expect(try await reopened.state(PlaybackKey(user: "u", content: "m"))?.position == 10)
        let quarantined = try await reopened.quarantinedRows(limit: 10)
        #expect(quarantined.count == 2)
        #expect(quarantined.rows.allSatisfy { $0.source == "derived_journal" })
        #expect(try Self.count("derived_journal", in: reopened.path) == 0)
        try await reopened.close()
        try await store.close()
    }
}
