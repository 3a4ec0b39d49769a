import GRDB
import TallyCore
import TallyPipeline

/// Playback state in SQLite: the rows, with the derived-state backlog laid over them, are the source of truth and
/// queries read them, so memory does not grow with the number of (user, content) keys. Per-content totals live in
/// `content_totals`, so a title's watch time is one row however many viewers it has.
extension SQLiteEventStore: PlaybackReader {
    /// `playback_state`'s columns, the key read as bytes: `StoredRow` tells text from what is not.
    static let playbackColumns = StoredTables.playbackState.columns.enumerated()
        .map { $0.offset < 2 ? "CAST(\($0.element.name) AS BLOB)" : $0.element.name }.joined(separator: ", ")
    static let playbackKeyCondition = "CAST(user_id AS BLOB) IS ? AND CAST(content_id AS BLOB) IS ?"

    package func loadPlaybackStates() async throws -> [PlaybackKey: PlaybackState] {
        try await flushDerived()
        return try await scanPlaybackStates(into: [:]) { $0[$1] = $2 }
    }

    package func checkStoredPlaybackStates() async throws -> Int? {
        try await flushDerived()
        return try await scanPlaybackStates(into: 0) { count, _, _ in count += 1 }
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

    /// A key in the backlog is answered from it (its newest state); a key that is not was flushed or never
    /// changed, so its row is current.
    package func playbackStates(for keys: [PlaybackKey]) async throws -> [PlaybackKey: PlaybackState] {
        guard !keys.isEmpty else { return [:] }
        var pending: [PlaybackKey: PlaybackState] = [:]
        let keys = backlog.withLock { backlog in
            keys.filter { key in
                guard let state = backlog.state(key) else { return true }
                pending[key] = state
                return false
            }
        }
        guard !keys.isEmpty else { return pending }
        return try await perform("reading \(keys.count) playback states") { [pending] in
            let (states, corrupt) = try await pool.read { db in
                var states = pending
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
        if let pending = backlog.withLock({ $0.state(key) }) { return pending }
        return try await playbackRows("reading a playback state", where: "user_id = ? AND content_id = ?", [key.user, key.content]).first?
            .state
    }

    package func titlesAndStates(user: String) async throws -> [(content: String, state: PlaybackState)]? {
        typealias Titles = [(content: String, state: PlaybackState)]
        let titles = try await overlaid {
            $0.states(user: user)
        } read: { () async throws -> Titles in
            try await playbackRows("reading a user's playback states", where: "user_id = ?", [user]).map { ($0.key.content, $0.state) }
        } merge: { (stored: Titles, pending: Titles) -> Titles in
            guard !pending.isEmpty else { return stored }
            let replaced = Set(pending.map(\.content))
            return stored.filter { !replaced.contains($0.content) } + pending
        }
        return titles.isEmpty ? nil : titles
    }

    package func totals(content: String) async throws -> ContentTotals? {
        try await overlaid {
            $0.totals(content)
        } read: {
            try await storedTotals(content: content)
        } merge: { stored, pending in
            guard let pending else { return stored }
            var totals = stored ?? ContentTotals()
            totals.add(pending)
            return totals.viewers > 0 ? totals : nil
        }
    }

    private func storedTotals(content: String) async throws -> ContentTotals? {
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
