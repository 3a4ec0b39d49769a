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

    /// Opens (creating if needed) `tally.sqlite` in `directory` and applies pending migrations.
    public init(directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            self.path = (directory as NSString).appendingPathComponent("tally.sqlite")
            var configuration = Configuration()
            configuration.label = "tally"
            configuration.busyMode = .timeout(5)
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteSchema.migrator.migrate(pool)
            adHours = Mutex(try pool.read(Self.loadAdHours))
        } catch {
            throw StoreError(operation: "opening the SQLite store in \(directory)", underlying: error)
        }
    }

    public func loadPlaybackStates() async throws -> [PlaybackKey: PlaybackState] {
        try await perform("loading playback state") {
            try await pool.read { db in
                var states: [PlaybackKey: PlaybackState] = [:]
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT user_id, content_id, position, latest_ms, last_seen_ms, max_position, duration, watch_ms, events
                    FROM playback_state
                    """)
                while let row = try rows.next() {
                    let key = PlaybackKey(user: row[0], content: row[1])
                    states[key] = PlaybackState(
                        position: row[2], latestAt: Timestamp(millisecondsSinceEpoch: row[3]),
                        lastSeenAt: Timestamp(millisecondsSinceEpoch: row[4]), maxPosition: row[5],
                        duration: row[6], watchMilliseconds: row[7], events: row[8])
                }
                return states
            }
        }
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

    public func close() async throws {
        try await perform("closing") { try pool.close() }
    }

    func perform<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw StoreError(operation: operation, underlying: error)
        }
    }
}
