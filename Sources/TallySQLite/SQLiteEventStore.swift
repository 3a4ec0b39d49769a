import Foundation
import GRDB
import Logging
import Synchronization
import TallyCore
import TallyPipeline

/// The embedded default store: one SQLite file in WAL mode under the data directory.
///
/// `synchronous = FULL` makes each commit durable against power loss, not only a process crash; the group-commit
/// writer amortizes that fsync over every request in a batch. Derived state (playback states, content totals,
/// resume arrays) is journaled with each commit and written to its tables about once a second
/// (`SQLiteEventStore+WriteBehind`).
package final class SQLiteEventStore: EventStore {
    let pool: DatabasePool
    package let path: String
    /// Every hour's ad counters, as committed. This store has one writer (this process), so a copy updated right
    /// after each commit is exact, and `GET /analytics` needs no database read (a few hundred bytes per day).
    let adHours: Mutex<[AdHour: AdHourCounts]>
    /// Committed derived state not yet in its tables.
    let backlog = Mutex(DerivedBacklog())
    /// When the backlog is written to its tables.
    let writeBehind: WriteBehind
    let logger: Logger
    private let lock: DataDirectoryLock

    /// Opens (creating if needed) `tally.sqlite` in `directory`, applies pending migrations, and writes to the
    /// tables any derived state an unclean stop left in the journal.
    package init(directory: String, writeBehind: WriteBehind = WriteBehind(), logger: Logger = Logger(label: "tally.sqlite")) throws {
        self.writeBehind = writeBehind
        self.logger = logger
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            lock = try DataDirectoryLock(directory: directory)
            self.path = (directory as NSString).appendingPathComponent("tally.sqlite")
            var configuration = Configuration()
            configuration.label = "tally"
            configuration.busyMode = .timeout(5)
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                // 64 MiB of WAL between checkpoints instead of 4: batches of late heartbeats dirty the same pages
                // commit after commit, and a checkpoint copies each page once however many commits changed it.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384")
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteSchema.migrator.migrate(pool)
            let now = Timestamp.wallClockNow
            let journaled = try pool.write { db in try Self.applyJournal(in: db, now: now) }
            if journaled > 0 {
                logger.info("applied the derived-state journal of an unclean stop", metadata: ["commits": "\(journaled)"])
            }
            adHours = Mutex(try pool.write { db in try Self.loadAdHours(db, now: now) })
        } catch {
            throw StoreError(operation: "opening the SQLite store in \(directory)", underlying: error)
        }
    }

    @discardableResult
    package func append(_ batch: CommitBatch) async throws -> [PlaybackKey: PlaybackState] {
        let events = batch.events
        let states = batch.states
        return try await perform("appending \(events.count + batch.ads.count) events") {
            let adChanges = try await pool.writeWithoutTransaction { db in
                var derived = BacklogChange()
                var adChanges: [(hour: AdHour, counts: AdHourCounts)] = []
                try db.inTransaction {
                    try Self.write(events, in: db)
                    derived = try writeDerived(
                        states: states, previous: batch.previous, records: batch.resumeWindows,
                        staged: batch.staged as? StagedDerived, in: db)
                    try Self.write(batch.sessions, in: db)
                    adChanges = try Self.write(batch, in: db)
                    return .commit
                }
                install(derived)
                return adChanges
            }
            installAdChanges(adChanges)
            return states
        }
    }

    /// Appends the raw events to their logs, and the commit's `heartbeat_batches` row, in the caller's transaction.
    static func write(_ events: [ReceivedEvent], in db: Database) throws {
        var heartbeat = PreparedInsert(
            try db.cachedStatement(
                sql: """
                    INSERT INTO heartbeats (user_id, movie_id, duration, position, event_time_ms, received_ms)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """))
        var watch = PreparedInsert(
            try db.cachedStatement(
                sql: """
                    INSERT INTO watch_events (user_id, slug, at, received_ms) VALUES (?, ?, ?, ?)
                    """))
        var heartbeats = HeartbeatBatch()
        for received in events {
            switch received.event {
            case .heartbeat(let h):
                heartbeat.bind(h.userId)
                heartbeat.bind(h.movieId)
                heartbeat.bind(h.duration)
                heartbeat.bind(h.position)
                heartbeat.bind(h.timestamp.millisecondsSinceEpoch)
                heartbeat.bind(received.receivedAt.millisecondsSinceEpoch)
                try heartbeat.step()
                heartbeats.add(id: db.lastInsertedRowID, timeMs: h.timestamp.millisecondsSinceEpoch)
            case .watch(let w):
                watch.bind(w.user)
                watch.bind(w.slug)
                watch.bind(w.at)
                watch.bind(received.receivedAt.millisecondsSinceEpoch)
                try watch.step()
            }
        }
        try heartbeats.write(in: db)
    }

    /// One writer (this process, which holds the data directory's lock): what `append` commits is the plan.
    package var commitsAsPlanned: Bool { true }

    package func countEvents(_ kind: EventKind) async throws -> Int {
        let table = kind.tableName
        return try await perform("counting \(table)") {
            try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
        }
    }

    package func checkHealth() async throws {
        try await perform("health check") {
            _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
        }
    }

    package func checkWritable() async throws {
        try await perform("write check") {
            try await pool.write { db in
                try db.execute(
                    sql: "INSERT OR REPLACE INTO health_probe (id, payload) VALUES (1, zeroblob(?))",
                    arguments: [writeProbeBytes])
            }
        }
    }

    package func close() async throws {
        try await flushDerived()
        try await perform("closing") { try pool.close() }
        lock.release()
    }

    func perform<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        try await Self.perform(operation, body)
    }

    /// Runs `body`, naming `operation` in the `StoreError` any failure becomes.
    static func perform<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw StoreError(operation: operation, underlying: error)
        }
    }
}
