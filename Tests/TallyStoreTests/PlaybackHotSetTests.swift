import Foundation
import GRDB
import Logging
import TallyCore
import Testing

@testable import TallyPipeline
@testable import TallySQLite

/// The writer keeps a bounded set of playback states and reads the rest from the store; queries read the store.
@Suite("Playback hot set and stored totals")
struct PlaybackHotSetTests {
    static func watch(_ user: String, _ slug: String, at seconds: Int64, round: Int) -> ReceivedEvent {
        ReceivedEvent(.watch(WatchEvent(user: user, slug: slug, at: seconds)), receivedAt: Timestamp(millisecondsSinceEpoch: Int64(round)))
    }

    /// 80 keys through a hot set of 4: every batch meets keys that were evicted, whose states must come back from
    /// the store, or their counts would restart.
    @Test func aHotSetFarSmallerThanTheKeysLosesNoUpdate() async throws {
        let dir = TemporaryDirectory()
        let (writer, store) = try makeWriter(dir, hotKeys: 4)
        let rounds = 5
        try await withRunningWriter(writer) {
            for round in 0..<rounds {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for user in 0..<40 {
                        group.addTask {
                            try await writer.submit(["m1", "m2"].map { Self.watch("u\(user)", $0, at: 3, round: round) })
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(writer.hotSet.count <= 4)
            }
            #expect(try await store.state(PlaybackKey(user: "u7", content: "m2"))?.events == Int64(rounds))
        }
        let reopened = try SQLiteEventStore(directory: dir.path)
        let states = try await reopened.loadPlaybackStates()
        #expect(states.count == 80)
        #expect(states.values.allSatisfy { $0.events == Int64(rounds) && $0.watchMilliseconds == Int64(rounds) * 3_000 })
        for movie in ["m1", "m2"] {
            let totals = try await reopened.totals(content: movie)
            #expect(totals?.viewers == 40)
            #expect(totals?.watchMilliseconds == 40 * Int64(rounds) * 3_000)
            #expect(totals?.events == 40 * Int64(rounds))
        }
        #expect(try await reopened.titlesAndStates(user: "u3")?.map(\.content).sorted() == ["m1", "m2"])
        try await reopened.close()
    }

    static func state(watch: Int64) -> PlaybackState {
        PlaybackState(
            position: 1, latestAt: Timestamp(millisecondsSinceEpoch: 1), lastSeenAt: Timestamp(millisecondsSinceEpoch: 1),
            maxPosition: 1, duration: nil, watchMilliseconds: watch, events: 1)
    }

    /// Totals move by differences; kept in 64 bits they would saturate at 2 × Int64.max and every later
    /// difference would be off by what was lost.
    @Test func totalsStayExactPastInt64() async throws {
        let dir = TemporaryDirectory()
        let store = try SQLiteEventStore(directory: dir.path)
        let a = PlaybackKey(user: "a", content: "m")
        let b = PlaybackKey(user: "b", content: "m")
        try await store.append(CommitBatch(states: [a: Self.state(watch: .max), b: Self.state(watch: .max)]))
        #expect(try await store.totals(content: "m")?.watchMilliseconds == .max)
        try await store.append(CommitBatch(states: [a: Self.state(watch: 0)]))
        try await store.append(CommitBatch(states: [b: Self.state(watch: 5)]))
        let totals = try await store.totals(content: "m")
        #expect(totals?.watchMilliseconds == 5)
        #expect(totals?.viewers == 2)
        #expect(totals?.events == 2)
        try await store.close()
    }

    /// A data directory from before `content_totals` gets its totals from the stored states when it opens.
    @Test func theMigrationFillsTotalsFromTheStoredStates() async throws {
        let dir = TemporaryDirectory()
        do {
            let store = try SQLiteEventStore(directory: dir.path)
            try await store.append(
                CommitBatch(states: [
                    PlaybackKey(user: "a", content: "m"): Self.state(watch: 2_000),
                    PlaybackKey(user: "b", content: "m"): Self.state(watch: 3_000),
                    PlaybackKey(user: "a", content: "n"): Self.state(watch: 7_000),
                ]))
            try await store.pool.write { db in
                try db.execute(sql: "DROP TABLE content_totals; DELETE FROM grdb_migrations WHERE identifier = 'v7-content-totals'")
            }
            try await store.close()
        }
        let reopened = try SQLiteEventStore(directory: dir.path)
        #expect(try await reopened.totals(content: "m") == ContentTotals(watchMilliseconds: 5_000, viewers: 2, events: 2))
        #expect(try await reopened.totals(content: "n") == ContentTotals(watchMilliseconds: 7_000, viewers: 1, events: 1))
        #expect(try await reopened.totals(content: "none") == nil)
        try await reopened.close()
    }

    /// A stored state that cannot be used is quarantined when the writer needs it: the key starts afresh and its
    /// title's totals are recounted without it.
    @Test func anUnusableStoredStateIsQuarantinedWhenTheWriterNeedsIt() async throws {
        let dir = TemporaryDirectory()
        let (writer, store) = try makeWriter(dir)
        try await store.append(CommitBatch(states: [PlaybackKey(user: "good", content: "m"): Self.state(watch: 4_000)]))
        try await store.pool.write { db in
            try db.execute(sql: "INSERT INTO playback_state VALUES ('bad', 'm', 1, 1, 1, 1, NULL, 'lots', 1)")
        }
        #expect(try await store.state(PlaybackKey(user: "bad", content: "m")) == nil)
        try await withRunningWriter(writer) {
            try await writer.submit([Self.watch("bad", "m", at: 2, round: 0)])
            #expect(try await store.state(PlaybackKey(user: "bad", content: "m"))?.events == 1)
            #expect(try await store.totals(content: "m") == ContentTotals(watchMilliseconds: 6_000, viewers: 2, events: 2))
            #expect(try await store.quarantinedRows(limit: 10).count == 1)
        }
    }

    /// The start-up check reads in chunks of `scanChunk` rows by key: every row is met once, across chunk
    /// boundaries and past rows it quarantines on the way (one at each boundary, one stored as a blob).
    @Test func theCheckReadsEveryRowAcrossChunks() async throws {
        let dir = TemporaryDirectory()
        let store = try SQLiteEventStore(directory: dir.path)
        let good = SQLiteEventStore.scanChunk * 2 + 500
        try await store.pool.write { db in
            for i in 0..<good {
                try db.execute(
                    sql: "INSERT INTO playback_state VALUES (?, 'm', 1, 1, 1, 1, NULL, 1000, 1)",
                    arguments: [String(format: "u%06d", i * 2)])
            }
            for i in [SQLiteEventStore.scanChunk - 1, SQLiteEventStore.scanChunk * 2 - 1] {
                try db.execute(
                    sql: "INSERT INTO playback_state VALUES (?, 'm', 1, 1, 1, 1, NULL, 'bad', 1)",
                    arguments: [String(format: "u%06d", i * 2 + 1)])
            }
            try db.execute(sql: "INSERT INTO playback_state VALUES (?, 'm', 1, 1, 1, 1, NULL, 1000, 1)", arguments: [Data("u\u{1}".utf8)])
        }
        #expect(try await store.checkStoredPlaybackStates() == good)
        #expect(try await store.quarantinedRows(limit: 0).count == 3)
        #expect(try await store.loadPlaybackStates().count == good)
        #expect(
            try await store.totals(content: "m")
                == ContentTotals(watchMilliseconds: Int64(good) * 1_000, viewers: good, events: Int64(good)))
        try await store.close()
    }

    @Test func theHotSetNeverHoldsMoreThanItsCapacity() {
        let hotSet = PlaybackHotSet(rules: PlaybackRules(), capacity: 10)
        for batch in 0..<50 {
            hotSet.install(
                Dictionary(uniqueKeysWithValues: (0..<4).map { (PlaybackKey(user: "u\(batch)-\($0)", content: "m"), Self.state(watch: 1)) })
            )
            #expect(hotSet.count <= 10)
        }
        // The last batch is held (a batch of more than half the capacity may push out its own first keys).
        let recent = Set((0..<4).map { PlaybackKey(user: "u49-\($0)", content: "m") })
        #expect(hotSet.missing(recent).isEmpty)
        #expect(hotSet.missing([PlaybackKey(user: "u0-0", content: "m")]).count == 1)
    }
}
