import GRDB
import TallyCore
import TallyPipeline

/// Playback state in SQLite: the rows are the source of truth and queries read them, so memory does not grow with
/// the number of (user, content) keys. Per-content totals live in `content_totals`, kept by the append transaction,
/// so a title's watch time is one row however many viewers it has.
extension SQLiteEventStore: PlaybackReader {
    /// `playback_state`'s columns, the key read as bytes: `StoredRow` tells text from what is not.
    static let playbackColumns = StoredTables.playbackState.columns.enumerated()
        .map { $0.offset < 2 ? "CAST(\($0.element.name) AS BLOB)" : $0.element.name }.joined(separator: ", ")
    static let playbackKeyCondition = "CAST(user_id AS BLOB) IS ? AND CAST(content_id AS BLOB) IS ?"

    package func loadPlaybackStates() async throws -> [PlaybackKey: PlaybackState] {
        try await scanPlaybackStates(into: [:]) { $0[$1] = $2 }
    }

    package func checkStoredPlaybackStates() async throws -> Int? {
        try await scanPlaybackStates(into: 0) { count, _, _ in count += 1 }
    }

    /// Folds every usable state into `result` as it streams by (the rows are not kept) and quarantines the rows
    /// that are not usable. Reads in key order, `scanChunk` rows per read transaction, so that a long scan neither
    /// holds one snapshot (which would keep the WAL from being checkpointed) nor outlives a cancellation.
    private func scanPlaybackStates<T>(into result: T, _ fold: (inout T, PlaybackKey, PlaybackState) -> Void) async throws -> T {
        var folded = result
        var after: [DatabaseValue]? = nil
        repeat {
            try Task.checkCancellation()
            let (states, last, corrupt) = try await perform("reading playback state") { [after] in
                try await pool.read { db in
                    var states: [(PlaybackKey, PlaybackState)] = []
                    var last: [DatabaseValue]? = nil
                    var corrupt: [QuarantineCandidate] = []
                    // Raw key columns last: the cursor compares them as the primary key orders them.
                    let rows = try Row.fetchCursor(
                        db,
                        sql: """
                            SELECT \(Self.playbackColumns), user_id, content_id FROM playback_state
                            \(after == nil ? "" : "WHERE (user_id, content_id) > (?, ?)")
                            ORDER BY user_id, content_id LIMIT \(Self.scanChunk)
                            """, arguments: StatementArguments(after ?? []))
                    while let row = try rows.next() {
                        last = [row[9], row[10]]
                        if let decoded = Self.decodePlayback(row, corrupt: &corrupt) { states.append(decoded) }
                    }
                    return (states, last, corrupt)
                }
            }
            try await quarantinePlayback(corrupt)
            for (key, state) in states { fold(&folded, key, state) }
            after = last
        } while after != nil
        return folded
    }

    static let scanChunk = 10_000

    package func playbackStates(for keys: [PlaybackKey]) async throws -> [PlaybackKey: PlaybackState] {
        guard !keys.isEmpty else { return [:] }
        return try await perform("reading \(keys.count) playback states") {
            let (states, corrupt) = try await pool.read { db in
                var states: [PlaybackKey: PlaybackState] = [:]
                var corrupt: [QuarantineCandidate] = []
                let statement = try db.cachedStatement(
                    sql: """
                        SELECT \(Self.playbackColumns) FROM playback_state WHERE user_id = ? AND content_id = ?
                        """)
                for key in keys {
                    guard let row = try Row.fetchOne(statement, arguments: [key.user, key.content]) else { continue }
                    if let (key, state) = Self.decodePlayback(row, corrupt: &corrupt) { states[key] = state }
                }
                return (states, corrupt)
            }
            try await quarantinePlayback(corrupt)
            return states
        }
    }

    package func state(_ key: PlaybackKey) async throws -> PlaybackState? {
        try await playbackRows("reading a playback state", where: "user_id = ? AND content_id = ?", [key.user, key.content]).first?.state
    }

    package func titlesAndStates(user: String) async throws -> [(content: String, state: PlaybackState)]? {
        let rows = try await playbackRows("reading a user's playback states", where: "user_id = ?", [user])
        return rows.isEmpty ? nil : rows.map { ($0.key.content, $0.state) }
    }

    package func totals(content: String) async throws -> ContentTotals? {
        try await perform("reading content totals") {
            try await pool.read { db in
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT viewers, watch_ms, events FROM content_totals WHERE content_id = ?
                            """, arguments: [content])
                else { return nil }
                if let totals = ContentTotals(stored: row), totals.viewers > 0 { return totals }
                // An unreadable row (another tool wrote it): answer from the states, which are the truth.
                return try Self.sumTotals(content: content, in: db)
            }
        }
    }

    /// Usable states matching `condition`; a row that is not usable is left for the writer or the start-up check
    /// to quarantine (a read never writes), and reads as absent.
    private func playbackRows(_ operation: String, where condition: String, _ arguments: StatementArguments) async throws -> [(
        key: PlaybackKey, state: PlaybackState
    )] {
        try await perform(operation) {
            try await pool.read { db in
                var corrupt: [QuarantineCandidate] = []
                return try Row.fetchAll(
                    db, sql: "SELECT \(Self.playbackColumns) FROM playback_state WHERE \(condition)", arguments: arguments
                )
                .compactMap { Self.decodePlayback($0, corrupt: &corrupt) }
            }
        }
    }

    static func decodePlayback(_ row: Row, corrupt: inout [QuarantineCandidate]) -> (key: PlaybackKey, state: PlaybackState)? {
        let decoded = StoredRow.decode(
            row, source: "playback_state", keyColumns: 0..<2, deleteWhere: playbackKeyCondition, corrupt: &corrupt, playbackState)
        if decoded == nil { corrupt[corrupt.count - 1].recount = try? StoredRow(row: row).id(1, "content_id") }
        return decoded
    }

    private static func playbackState(_ row: StoredRow) throws(CorruptRow) -> (key: PlaybackKey, state: PlaybackState) {
        let key = PlaybackKey(user: try row.id(0, "user_id"), content: try row.id(1, "content_id"))
        let state = PlaybackState(
            storedPosition: try row.integer(2, "position", in: StoredRow.nonNegative),
            latestMs: try row.integer(3, "latest_ms", in: StoredRow.timeRange),
            lastSeenMs: try row.integer(4, "last_seen_ms", in: StoredRow.timeRange),
            maxPosition: try row.integer(5, "max_position", in: StoredRow.nonNegative),
            duration: try row.optionalInteger(6, "duration", in: StoredRow.nonNegative),
            watchMs: try row.integer(7, "watch_ms", in: StoredRow.nonNegative),
            events: try row.integer(8, "events", in: StoredRow.nonNegative))
        return (key, state)
    }

    /// Quarantines unusable state rows and recounts the totals of the titles they were under, which may have
    /// included them when they were still good.
    private func quarantinePlayback(_ corrupt: [QuarantineCandidate]) async throws {
        guard !corrupt.isEmpty else { return }
        let now = Timestamp.wallClockNow
        try await pool.write { db in
            try Self.quarantine(corrupt, in: db, now: now)
            for content in Set(corrupt.compactMap(\.recount)) { try Self.recountTotals(content: content, in: db) }
        }
    }
}
