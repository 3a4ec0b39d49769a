import GRDB
import Synchronization
import TallyCore
import Testing

@testable import TallyPipeline
@testable import TallySQLite

@Suite("Heartbeat batches (SQLite's replay index)")
struct HeartbeatBatchesTests {
    /// A data directory from before `heartbeat_batches` (an index on event time instead) replays the same
    /// heartbeats once migrated, and loses the index.
    @Test func aDataDirectoryWithTheOldIndexIsMigrated() async throws {
        let dir = TemporaryDirectory()
        do {
            let store = try SQLiteEventStore(directory: dir.path)
            let events = (0..<5).map { heartbeat("u", "m", position: Int64($0) * 10, second: Int64($0) * 10) }
            try await store.append(CommitBatch(events: events))
            try await store.pool.write { db in
                try db.execute(
                    sql: """
                        DROP TABLE heartbeat_batches;
                        CREATE INDEX heartbeats_by_event_time ON heartbeats (event_time_ms);
                        DELETE FROM grdb_migrations WHERE identifier = 'v9-heartbeat-batches';
                        """)
            }
            try await store.close()
        }
        let reopened = try SQLiteEventStore(directory: dir.path)
        #expect(try await reopened.latestHeartbeatTime() == Timestamp(secondsSinceEpoch: 1_635_254_400 + 40))
        let replayed = Mutex<[Int64]>([])
        try await reopened.replayHeartbeats(from: Timestamp(secondsSinceEpoch: 1_635_254_400 + 30)) { batch in
            replayed.withLock { $0 += batch.map(\.position) }
        }
        #expect(replayed.withLock { $0 } == [30, 40])
        let indexes = try await reopened.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'heartbeats'")
        }
        #expect(indexes.isEmpty)
        try await reopened.close()
    }

    @Test func anEmptyLogMigratesToNoBatches() async throws {
        let dir = TemporaryDirectory()
        let store = try SQLiteEventStore(directory: dir.path)
        #expect(try await store.latestHeartbeatTime() == nil)
        try await store.append(
            CommitBatch(events: [
                ReceivedEvent(.watch(WatchEvent(user: "u", slug: "s", at: 1)), receivedAt: .init(millisecondsSinceEpoch: 1))
            ]))
        // Watch events are not heartbeats: no batch row, no replay range.
        #expect(try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM heartbeat_batches") } == 0)
        try await store.close()
    }

    @Test func adjacentRangesAreJoined() async throws {
        let dir = TemporaryDirectory()
        let store = try SQLiteEventStore(directory: dir.path)
        for second in [10, 20, 5, 30] as [Int64] {
            try await store.append(CommitBatch(events: [heartbeat("u", "m", position: second, second: second)]))
        }
        let ranges = try await store.pool.read { db in try HeartbeatBatch.ranges(reaching: 1_635_254_400_000 + 10_000, in: db) }
        // Ids 1, 2 and 4 reach the time; 3 (second 5) does not; ids after the last commit's are read too.
        #expect(ranges == [1...2, 4...4, 5...Int64.max])
        try await store.close()
    }

    /// Rows another tool wrote (text ids, the largest id) are skipped or end the ranges; they never stop a start.
    @Test func batchRowsThatAreNotTallysNeverCrashTheReplay() async throws {
        let dir = TemporaryDirectory()
        let store = try SQLiteEventStore(directory: dir.path)
        try await store.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO heartbeat_batches VALUES (1, 'many', 5);
                    INSERT INTO heartbeat_batches VALUES (2, 9223372036854775807, 5);
                    """)
        }
        let ranges = try await store.pool.read { db in try HeartbeatBatch.ranges(reaching: 0, in: db) }
        #expect(ranges == [2...Int64.max])
        try await store.replayHeartbeats(from: Timestamp(millisecondsSinceEpoch: 0)) { _ in }
        try await store.close()
    }
}
