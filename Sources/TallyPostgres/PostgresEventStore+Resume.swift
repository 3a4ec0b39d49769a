import PostgresNIO
import TallyCore
import TallyPipeline

extension PostgresEventStore: ResumeWindowStore {
    package func saveResumeWindows(_ records: [ResumeRecord]) async throws {
        guard !records.isEmpty else { return }
        try await perform("saving \(records.count) resume windows") { [self] in
            try await client.withConnection { try await writeResumeWindows(records, on: $0) }
        }
    }

    /// Upserts `records` on `connection` (in its transaction, if one is open); an older revision never replaces a
    /// newer one, whichever server wrote it.
    func writeResumeWindows(_ records: [ResumeRecord], on connection: PostgresConnection) async throws {
        guard !records.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO \(unescaped: s).resume_windows (\(unescaped: StoredTables.resumeWindows.columnList))
            SELECT * FROM unnest(\(records.map(\.userId))::text[], \(records.map(\.window.start.millisecondsSinceEpoch))::int8[],
                \(records.map(\.window.end.millisecondsSinceEpoch))::int8[], \(records.map { Int32(clamping: $0.revision) })::int4[],
                \(records.map { String(decoding: $0.json, as: UTF8.self) })::text[])
            \(unescaped: SharedSQL.resumeWindowUpsert)
            """, logger: logger)
    }

    package func resumeWindow(user: String, start: Timestamp) async throws -> ResumeRecord? {
        try await perform("reading a resume window") { [self] in
            try await records(
                client.query(
                    """
                    SELECT user_id, window_start_ms, window_end_ms, revision, positions FROM \(unescaped: s).resume_windows
                    WHERE user_id = \(user) AND window_start_ms = \(start.millisecondsSinceEpoch)
                    """, logger: logger)
            ).first
        }
    }

    package func latestResumeWindow(user: String) async throws -> ResumeRecord? {
        try await perform("reading the latest resume window") { [self] in
            try await records(
                client.query(
                    """
                    SELECT user_id, window_start_ms, window_end_ms, revision, positions FROM \(unescaped: s).resume_windows
                    WHERE user_id = \(user) ORDER BY window_start_ms DESC LIMIT 1
                    """, logger: logger)
            ).first
        }
    }

    package func storedResumeWindows(startingFrom from: Timestamp, _ body: @Sendable ([ResumeRecord]) -> Void) async throws {
        try await performUnbounded("reading stored resume windows") {
            try await withoutStatementTimeout { connection in
                let rows = try await connection.query(
                    """
                    SELECT user_id, window_start_ms, window_end_ms, revision, positions FROM \(unescaped: s).resume_windows
                    WHERE window_start_ms >= \(from.millisecondsSinceEpoch) ORDER BY window_start_ms
                    """, logger: logger)
                var batch: [ResumeRecord] = []
                for try await (user, start, end, revision, positions) in rows.decode((String, Int64, Int64, Int32, String).self) {
                    guard end > start else { continue }
                    batch.append(ResumeRecord(stored: user, start: start, end: end, revision: Int(revision), json: positions))
                    if batch.count == 10_000 {
                        body(batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                if !batch.isEmpty { body(batch) }
            }
        }
    }

    package func pruneResumeWindows(before cutoff: Timestamp) async throws -> Int {
        try await perform("pruning resume windows") { [self] in
            let rows = try await client.query(
                """
                WITH gone AS (DELETE FROM \(unescaped: s).resume_windows WHERE window_start_ms < \(cutoff.millisecondsSinceEpoch) RETURNING 1)
                SELECT count(*) FROM gone
                """, logger: logger)
            for try await count in rows.decode(Int64.self) { return Int(count) }
            return 0
        }
    }

    package func lastResumeWindowEnd() async throws -> Timestamp? {
        try await perform("reading the last resume window") { [self] in
            try await optionalTime(
                client.query(
                    """
                    SELECT max(window_end_ms) FROM \(unescaped: s).resume_windows
                    WHERE window_start_ms = (SELECT max(window_start_ms) FROM \(unescaped: s).resume_windows)
                    """, logger: logger))
        }
    }

    package func latestHeartbeatTime() async throws -> Timestamp? {
        try await perform("reading the latest heartbeat time") { [self] in
            try await optionalTime(client.query("SELECT max(event_time_ms) FROM \(unescaped: s).heartbeats", logger: logger))
        }
    }

    package func heartbeatsToReplay(from: Timestamp) async throws -> Int {
        try await perform("counting heartbeats to replay") { [self] in
            let rows = try await client.query(
                "SELECT count(*) FROM \(unescaped: s).heartbeats WHERE event_time_ms >= \(from.millisecondsSinceEpoch)", logger: logger)
            for try await count in rows.decode(Int64.self) { return Int(count) }
            return 0
        }
    }

    package func replayHeartbeats(from: Timestamp, _ body: @Sendable ([Heartbeat]) -> Void) async throws {
        try await performUnbounded("replaying heartbeats") {
            try await withoutStatementTimeout { connection in try await replayHeartbeats(from: from, on: connection, body) }
        }
    }

    private func replayHeartbeats(
        from: Timestamp, on connection: PostgresConnection, _ body: @Sendable ([Heartbeat]) -> Void
    ) async throws {
        let rows = try await connection.query(
            """
            SELECT user_id, movie_id, duration, position, event_time_ms FROM \(unescaped: s).heartbeats
            WHERE event_time_ms >= \(from.millisecondsSinceEpoch) ORDER BY id
            """, logger: logger)
        var batches = ReplayBatches()
        for try await (user, movie, duration, position, time) in rows.decode((String, String, Int64, Int64, Int64).self) {
            let heartbeat = Heartbeat(
                userId: user, movieId: movie, duration: duration, position: position, timestamp: Timestamp(millisecondsSinceEpoch: time))
            batches.append(heartbeat, to: body)
        }
        batches.finish(to: body)
    }

    private func optionalTime(_ rows: PostgresRowSequence) async throws -> Timestamp? {
        for try await value in rows.decode(Int64?.self) { return value.map(Timestamp.init(millisecondsSinceEpoch:)) }
        return nil
    }

    private func records(_ rows: PostgresRowSequence) async throws -> [ResumeRecord] {
        var records: [ResumeRecord] = []
        for try await (user, start, end, revision, positions) in rows.decode((String, Int64, Int64, Int32, String).self) {
            records.append(ResumeRecord(stored: user, start: start, end: end, revision: Int(revision), json: positions))
        }
        return records
    }
}
