import Foundation
import GRDB
import Synchronization
import TallyCore

/// The embedded default store: one SQLite file in WAL mode under the data directory.
///
/// `synchronous = FULL` makes each commit durable against power loss, not only a process crash; the group-commit
/// writer amortizes that fsync over every request in a batch.
public final class SQLiteEventStore: EventStore {
    let pool: DatabasePool
    public let path: String
    /// Every hour's ad counters, as committed. This store has one writer (this process), so a copy updated right
    /// after each commit is exact, and `GET /analytics` needs no database read (a few hundred bytes per day).
    let adHours: Mutex<[AdHour: AdHourCounts]>
    private let lock: DataDirectoryLock

    /// Opens (creating if needed) `tally.sqlite` in `directory` and applies pending migrations.
    public init(directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            lock = try DataDirectoryLock(directory: directory)
            self.path = (directory as NSString).appendingPathComponent("tally.sqlite")
            var configuration = Configuration()
            configuration.label = "tally"
            configuration.busyMode = .timeout(5)
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteSchema.migrator.migrate(pool)
            let now = Timestamp.wallClockNow
            adHours = Mutex(try pool.write { db in try Self.loadAdHours(db, now: now) })
        } catch {
            throw StoreError(operation: "opening the SQLite store in \(directory)", underlying: error)
        }
    }

    public func loadPlaybackStates() async throws -> [PlaybackKey: PlaybackState] {
        try await perform("loading playback state") {
            let (states, corrupt) = try await pool.read { db in
                var states: [PlaybackKey: PlaybackState] = [:]
                var corrupt: [QuarantineCandidate] = []
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT CAST(user_id AS BLOB), CAST(content_id AS BLOB), position, latest_ms, last_seen_ms,
                        max_position, duration, watch_ms, events
                    FROM playback_state
                    """)
                while let row = try rows.next() {
                    guard let (key, state) = StoredRow.decode(
                        row, source: "playback_state", keyColumns: 0..<2,
                        deleteWhere: "CAST(user_id AS BLOB) IS ? AND CAST(content_id AS BLOB) IS ?", corrupt: &corrupt,
                        Self.playbackState)
                    else { continue }
                    states[key] = state
                }
                return (states, corrupt)
            }
            try await quarantine(corrupt)
            return states
        }
    }

    private static func playbackState(_ row: StoredRow) throws(CorruptRow) -> (PlaybackKey, PlaybackState) {
        let key = PlaybackKey(user: try row.id(0, "user_id"), content: try row.id(1, "content_id"))
        let state = PlaybackState(
            position: try row.integer(2, "position", in: StoredRow.nonNegative),
            latestAt: Timestamp(millisecondsSinceEpoch: try row.integer(3, "latest_ms", in: StoredRow.timeRange)),
            lastSeenAt: Timestamp(millisecondsSinceEpoch: try row.integer(4, "last_seen_ms", in: StoredRow.timeRange)),
            maxPosition: try row.integer(5, "max_position", in: StoredRow.nonNegative),
            duration: try row.optionalInteger(6, "duration", in: StoredRow.nonNegative),
            watchMilliseconds: try row.integer(7, "watch_ms", in: StoredRow.nonNegative),
            events: try row.integer(8, "events", in: StoredRow.nonNegative))
        return (key, state)
    }

    @discardableResult
    public func append(_ batch: CommitBatch) async throws -> [PlaybackKey: PlaybackState] {
        let events = batch.events, states = batch.states
        return try await perform("appending \(events.count + batch.ads.count) events") {
            let adChanges = try await pool.write { db in
                var heartbeat = PreparedInsert(try db.cachedStatement(sql: """
                    INSERT INTO heartbeats (user_id, movie_id, duration, position, event_time_ms, received_ms)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """))
                var watch = PreparedInsert(try db.cachedStatement(sql: """
                    INSERT INTO watch_events (user_id, slug, at, received_ms) VALUES (?, ?, ?, ?)
                    """))
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
                    case .watch(let w):
                        watch.bind(w.user)
                        watch.bind(w.slug)
                        watch.bind(w.at)
                        watch.bind(received.receivedAt.millisecondsSinceEpoch)
                        try watch.step()
                    }
                }
                var upsert = PreparedInsert(try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO playback_state
                        (user_id, content_id, position, latest_ms, last_seen_ms, max_position, duration, watch_ms, events)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """))
                for (key, s) in states {
                    upsert.bind(key.user)
                    upsert.bind(key.content)
                    upsert.bind(s.position)
                    upsert.bind(s.latestAt.millisecondsSinceEpoch)
                    upsert.bind(s.lastSeenAt.millisecondsSinceEpoch)
                    upsert.bind(s.maxPosition)
                    upsert.bind(s.duration)
                    upsert.bind(s.watchMilliseconds)
                    upsert.bind(s.events)
                    try upsert.step()
                }
                try Self.write(batch.sessions, in: db)
                return try Self.write(batch, in: db)
            }
            installAdChanges(adChanges)
            return states
        }
    }

    public func countEvents(_ kind: EventKind) async throws -> Int {
        let table = kind.tableName
        return try await perform("counting \(table)") {
            try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
        }
    }

    public func checkHealth() async throws {
        try await perform("health check") {
            _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
        }
    }

    public func checkWritable() async throws {
        try await perform("write check") {
            try await pool.write { db in
                try db.execute(
                    sql: "INSERT OR REPLACE INTO health_probe (id, payload) VALUES (1, zeroblob(?))",
                    arguments: [writeProbeBytes])
            }
        }
    }

    public func close() async throws {
        try await perform("closing") { try pool.close() }
        lock.release()
    }

    func perform<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw StoreError(operation: operation, underlying: error)
        }
    }
}
