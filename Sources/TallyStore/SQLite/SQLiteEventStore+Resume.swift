import GRDB
import TallyCore

extension SQLiteEventStore: ResumeWindowStore {
    public func saveResumeWindows(_ records: [ResumeRecord]) async throws {
        guard !records.isEmpty else { return }
        try await perform("saving \(records.count) resume windows") {
            try await pool.write { db in
                var upsert = PreparedInsert(try db.cachedStatement(sql: """
                    INSERT INTO resume_windows (user_id, window_start_ms, window_end_ms, revision, positions)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (user_id, window_start_ms) DO UPDATE
                    SET window_end_ms = excluded.window_end_ms, revision = excluded.revision, positions = excluded.positions
                    WHERE excluded.revision >= resume_windows.revision
                    """))
                for record in records {
                    upsert.bind(record.userId)
                    upsert.bind(record.window.start.millisecondsSinceEpoch)
                    upsert.bind(record.window.end.millisecondsSinceEpoch)
                    upsert.bind(Int64(record.revision))
                    upsert.bind(String(decoding: record.json, as: UTF8.self))
                    try upsert.step()
                }
            }
        }
    }

    public func resumeWindow(user: String, start: Timestamp) async throws -> ResumeRecord? {
        try await perform("reading a resume window") {
            try await pool.read { db in
                try Row.fetchOne(db, sql: """
                    SELECT user_id, window_start_ms, window_end_ms, revision, positions FROM resume_windows
                    WHERE user_id = ? AND window_start_ms = ?
                    """, arguments: [user, start.millisecondsSinceEpoch]).map(Self.record)
            }
        }
    }

    public func latestResumeWindows(since: Timestamp) async throws -> [ResumeRecord] {
        try await perform("loading latest resume windows") {
            try await pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT r.user_id, r.window_start_ms, r.window_end_ms, r.revision, r.positions
                    FROM resume_windows r
                    JOIN (SELECT user_id, max(window_start_ms) AS latest FROM resume_windows
                          WHERE window_start_ms >= ? GROUP BY user_id) l
                      ON r.user_id = l.user_id AND r.window_start_ms = l.latest
                    """, arguments: [since.millisecondsSinceEpoch]).map(Self.record)
            }
        }
    }

    public func pruneResumeWindows(before cutoff: Timestamp) async throws -> Int {
        try await perform("pruning resume windows") {
            try await pool.write { db in
                try db.execute(sql: "DELETE FROM resume_windows WHERE window_start_ms < ?", arguments: [cutoff.millisecondsSinceEpoch])
                return db.changesCount
            }
        }
    }

    public func lastResumeWindowEnd() async throws -> Timestamp? {
        try await perform("reading the last resume window") {
            try await pool.read { db in
                try Int64.fetchOne(db, sql: "SELECT max(window_end_ms) FROM resume_windows").map(Timestamp.init(millisecondsSinceEpoch:))
            }
        }
    }

    public func latestHeartbeatTime() async throws -> Timestamp? {
        try await perform("reading the latest heartbeat time") {
            try await pool.read { db in
                try Int64.fetchOne(db, sql: "SELECT max(event_time_ms) FROM heartbeats").map(Timestamp.init(millisecondsSinceEpoch:))
            }
        }
    }

    public func replayHeartbeats(from: Timestamp, _ body: @Sendable ([Heartbeat]) -> Void) async throws {
        try await perform("replaying heartbeats") {
            try await pool.read { db in
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT user_id, movie_id, duration, position, event_time_ms FROM heartbeats
                    WHERE event_time_ms >= ? ORDER BY id
                    """, arguments: [from.millisecondsSinceEpoch])
                var batch: [Heartbeat] = []
                batch.reserveCapacity(10_000)
                while let row = try rows.next() {
                    batch.append(Heartbeat(userId: row[0], movieId: row[1], duration: row[2], position: row[3],
                                           timestamp: Timestamp(millisecondsSinceEpoch: row[4])))
                    if batch.count == 10_000 {
                        body(batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                if !batch.isEmpty { body(batch) }
            }
        }
    }

    private static func record(_ row: Row) -> ResumeRecord {
        ResumeRecord(stored: row[0], start: row[1], end: row[2], revision: row[3], json: row[4])
    }
}
