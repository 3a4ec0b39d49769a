import GRDB
import TallyCore
import TallyPipeline

extension SQLiteEventStore: ResumeWindowStore {
    /// Journaled like a commit's arrays, so that the backlog always holds a window's newest revision.
    package func saveResumeWindows(_ records: [ResumeRecord]) async throws {
        guard !records.isEmpty else { return }
        try await perform("saving \(records.count) resume windows") {
            try await pool.writeWithoutTransaction { db in
                var derived = BacklogChange()
                try db.inTransaction {
                    derived = try writeDerived(states: [:], previous: [:], records: ResumeRecord.latestPerWindow(records), in: db)
                    return .commit
                }
                install(derived)
            }
        }
    }

    /// Upserts `records` in the caller's transaction; an older revision never replaces a newer one.
    static func writeResumeWindows(_ records: [ResumeRecord], in db: Database) throws {
        guard !records.isEmpty else { return }
        var upsert = PreparedInsert(
            try db.cachedStatement(
                sql: """
                    INSERT INTO resume_windows (\(StoredTables.resumeWindows.columnList)) VALUES (?, ?, ?, ?, ?)
                    \(SharedSQL.resumeWindowUpsert)
                    """))
        for record in records {
            upsert.bind(record.userId)
            upsert.bind(record.window.start.millisecondsSinceEpoch)
            upsert.bind(record.window.end.millisecondsSinceEpoch)
            upsert.bind(Int64(record.revision))
            upsert.bind(text: record.json)
            try upsert.step()
        }
    }

    /// The backlog's array unless the table holds a later revision (a caller may save an older one after a
    /// newer one was flushed; the table's upsert refuses it, and so does this read).
    package func resumeWindow(user: String, start: Timestamp) async throws -> ResumeRecord? {
        let pending = backlog.withLock { $0.window(user: user, start: start.millisecondsSinceEpoch) }
        let stored = try await storedResumeWindow(user: user, start: start)
        return ResumeRecord.latest(pending, stored)
    }

    private func storedResumeWindow(user: String, start: Timestamp) async throws -> ResumeRecord? {
        try await perform("reading a resume window") {
            try await pool.read { db in
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT user_id, window_start_ms, window_end_ms, revision, positions FROM resume_windows
                        WHERE user_id = ? AND window_start_ms = ?
                        """, arguments: [user, start.millisecondsSinceEpoch]
                ).map { row throws(CorruptRow) in try Self.record(StoredRow(row: row)) }
            }
        }
    }

    /// The newest usable window; newer ones that cannot be used are quarantined on the way (a read that finds
    /// them would otherwise meet them again on every call).
    package func latestResumeWindow(user: String) async throws -> ResumeRecord? {
        try await overlaid {
            $0.latestWindow(user: user)
        } read: {
            try await storedLatestResumeWindow(user: user)
        } merge: { stored, pending in
            ResumeRecord.latest(pending, stored)
        }
    }

    private func storedLatestResumeWindow(user: String) async throws -> ResumeRecord? {
        try await perform("reading the latest resume window") {
            let (record, corrupt) = try await pool.read { db in
                var corrupt: [QuarantineCandidate] = []
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT CAST(user_id AS BLOB), window_start_ms, window_end_ms, revision, positions FROM resume_windows
                        WHERE user_id = ? ORDER BY window_start_ms DESC
                        """, arguments: [user])
                while let row = try rows.next() {
                    if let record = StoredRow.decode(
                        row, source: "resume_windows", keyColumns: 0..<2,
                        deleteWhere: "CAST(user_id AS BLOB) IS ? AND window_start_ms IS ?", corrupt: &corrupt, Self.record)
                    {
                        return (Optional(record), corrupt)
                    }
                }
                return (nil, corrupt)
            }
            try await quarantine(corrupt)
            return record
        }
    }

    package func storedResumeWindows(startingFrom from: Timestamp, _ body: @Sendable ([ResumeRecord]) -> Void) async throws {
        try await flushDerived()
        try await perform("reading stored resume windows") {
            let corrupt = try await pool.read { db in
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT CAST(user_id AS BLOB), window_start_ms, window_end_ms, revision, positions FROM resume_windows
                        WHERE window_start_ms >= ? ORDER BY window_start_ms
                        """, arguments: [from.millisecondsSinceEpoch])
                var corrupt: [QuarantineCandidate] = []
                var batch: [ResumeRecord] = []
                while let row = try rows.next() {
                    if let record = StoredRow.decode(
                        row, source: "resume_windows", keyColumns: 0..<2,
                        deleteWhere: "CAST(user_id AS BLOB) IS ? AND window_start_ms IS ?", corrupt: &corrupt, Self.record)
                    {
                        batch.append(record)
                        if batch.count == 10_000 {
                            body(batch)
                            batch.removeAll(keepingCapacity: true)
                        }
                    }
                }
                if !batch.isEmpty { body(batch) }
                return corrupt
            }
            try await quarantine(corrupt)
        }
    }

    package func pruneResumeWindows(before cutoff: Timestamp) async throws -> Int {
        // A pruned window must not come back from the backlog.
        try await flushDerived()
        return try await perform("pruning resume windows") {
            try await pool.write { db in
                try db.execute(sql: "DELETE FROM resume_windows WHERE window_start_ms < ?", arguments: [cutoff.millisecondsSinceEpoch])
                return db.changesCount
            }
        }
    }

    package func lastResumeWindowEnd() async throws -> Timestamp? {
        try await flushDerived()
        return try await perform("reading the last resume window") {
            try await pool.read { db in
                try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT max(window_end_ms) FROM resume_windows
                        WHERE window_start_ms = (SELECT max(window_start_ms) FROM resume_windows)
                        """
                ).map(Timestamp.init(millisecondsSinceEpoch:))
            }
        }
    }

    package func latestHeartbeatTime() async throws -> Timestamp? {
        try await perform("reading the latest heartbeat time") {
            try await pool.read { db in
                try Int64.fetchOne(db, sql: "SELECT max(max_time_ms) FROM heartbeat_batches").map(Timestamp.init(millisecondsSinceEpoch:))
            }
        }
    }

    /// The ids of the ranges the replay reads, summed: an upper bound, from the per-commit rows alone.
    package func heartbeatsToReplay(from: Timestamp) async throws -> Int {
        try await perform("counting heartbeats to replay") {
            try await pool.read { db in
                var total = 0
                for range in try HeartbeatBatch.ranges(reaching: from.millisecondsSinceEpoch, in: db) {
                    guard range.upperBound == .max else {
                        let (span, overflow) = range.upperBound.subtractingReportingOverflow(range.lowerBound)
                        let rows = overflow || span == .max ? Int.max : Int(span + 1)
                        let (sum, tooMany) = total.addingReportingOverflow(rows)
                        total = tooMany ? .max : sum
                        continue
                    }
                    // The ids after the last commit (rows another tool appended): counted, not assumed.
                    total += try Int.fetchOne(db, sql: "SELECT count(*) FROM heartbeats WHERE id >= ?", arguments: [range.lowerBound]) ?? 0
                }
                return total
            }
        }
    }

    package func replayHeartbeats(from: Timestamp, _ body: @Sendable ([Heartbeat]) -> Void) async throws {
        try await perform("replaying heartbeats") {
            let corrupt = try await pool.read { db in
                let statement = try db.makeStatement(
                    sql: """
                        SELECT CAST(user_id AS BLOB), CAST(movie_id AS BLOB), duration, position, event_time_ms, id
                        FROM heartbeats WHERE id BETWEEN ? AND ? AND event_time_ms >= ? ORDER BY id
                        """)
                var batches = ReplayBatches()
                var corrupt: [QuarantineCandidate] = []
                for range in try HeartbeatBatch.ranges(reaching: from.millisecondsSinceEpoch, in: db) {
                    let rows = try Row.fetchCursor(
                        statement, arguments: [range.lowerBound, range.upperBound, from.millisecondsSinceEpoch])
                    while let row = try rows.next() {
                        // The log keeps every event it got: an unreadable row is recorded and skipped, not deleted.
                        if let heartbeat = StoredRow.decode(
                            row, source: "heartbeats", keyColumns: 5..<6, deleteWhere: nil, corrupt: &corrupt, Self.heartbeat)
                        {
                            batches.append(heartbeat, to: body)
                        }
                    }
                }
                batches.finish(to: body)
                return corrupt
            }
            try await quarantine(corrupt)
        }
    }

    private static func heartbeat(_ row: StoredRow) throws(CorruptRow) -> Heartbeat {
        let duration = try row.integer(2, "duration", in: 1...Int64.max)
        return Heartbeat(
            userId: try row.id(0, "user_id"), movieId: try row.id(1, "movie_id"), duration: duration,
            position: try row.integer(3, "position", in: 0...duration),
            timestamp: Timestamp(millisecondsSinceEpoch: try row.integer(4, "event_time_ms", in: StoredRow.timeRange)))
    }

    /// Columns: user id (as a blob when it comes from a loader, as text from a lookup by id), window start, end,
    /// revision, positions.
    private static func record(_ row: StoredRow) throws(CorruptRow) -> ResumeRecord {
        let user = try (row.row[0] as DatabaseValue).isBlob ? row.id(0, "user_id") : row.text(0, "user_id")
        let start = try row.integer(1, "window_start_ms", in: StoredRow.timeRange)
        let end = try row.integer(2, "window_end_ms", in: StoredRow.timeRange)
        guard end > start, (end - start) % 1000 == 0 else {
            throw CorruptRow(column: "window_end_ms", reason: "is not a whole number of seconds after window_start_ms")
        }
        let revision = try row.integer(3, "revision", in: 0...Int64(Int32.max))
        return ResumeRecord(stored: user, start: start, end: end, revision: Int(revision), json: try row.text(4, "positions"))
    }
}

extension DatabaseValue {
    fileprivate var isBlob: Bool {
        if case .blob = storage { return true }
        return false
    }
}
