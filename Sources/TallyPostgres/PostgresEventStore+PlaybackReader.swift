import PostgresNIO
import TallyCore
import TallyPipeline

extension PostgresEventStore: PlaybackReader {
    package func state(_ key: PlaybackKey) async throws -> PlaybackState? {
        try await perform("reading a playback state") { [self] in
            let rows = try await client.query(
                """
                SELECT \(unescaped: StoredTables.playbackState.columnList)
                FROM \(unescaped: s).playback_state WHERE user_id = \(key.user) AND content_id = \(key.content)
                """, logger: logger)
            for try await row in rows.decode(PlaybackRow.self) { return Self.state(row) }
            return nil
        }
    }

    package func totals(content: String) async throws -> ContentTotals? {
        try await perform("reading content totals") { [self] in
            let rows = try await client.query(
                """
                SELECT count(*), least(coalesce(sum(watch_ms), 0), 9223372036854775807)::int8,
                    least(coalesce(sum(events), 0), 9223372036854775807)::int8
                FROM \(unescaped: s).playback_state WHERE content_id = \(content)
                """, logger: logger)
            for try await (viewers, watch, events) in rows.decode((Int64, Int64, Int64).self) where viewers > 0 {
                return ContentTotals(watchMilliseconds: watch, viewers: Int(viewers), events: events)
            }
            return nil
        }
    }

    package func titlesAndStates(user: String) async throws -> [(content: String, state: PlaybackState)]? {
        try await perform("reading a user's playback states") { [self] in
            let rows = try await client.query(
                """
                SELECT \(unescaped: StoredTables.playbackState.columnList)
                FROM \(unescaped: s).playback_state WHERE user_id = \(user)
                """, logger: logger)
            var titles: [(content: String, state: PlaybackState)] = []
            for try await row in rows.decode(PlaybackRow.self) { titles.append((row.1, Self.state(row))) }
            return titles.isEmpty ? nil : titles
        }
    }

    package func playbackStates(for keys: [PlaybackKey]) async throws -> [PlaybackKey: PlaybackState] {
        guard !keys.isEmpty else { return [:] }
        return try await perform("reading \(keys.count) playback states") { [self] in
            let users = keys.map(\.user)
            let contents = keys.map(\.content)
            let rows = try await client.query(
                """
                SELECT \(unescaped: StoredTables.playbackState.columnList(qualifiedBy: "p"))
                FROM \(unescaped: s).playback_state p
                JOIN unnest(\(users)::text[], \(contents)::text[]) AS k(u, c) ON p.user_id = k.u AND p.content_id = k.c
                """, logger: logger)
            var states: [PlaybackKey: PlaybackState] = [:]
            for try await row in rows.decode(PlaybackRow.self) { states[Self.key(row)] = Self.state(row) }
            return states
        }
    }

    /// PostgreSQL's typed columns and text rules (no NUL, valid UTF-8) leave nothing to quarantine, and a count of
    /// a shared table at every start of every server would cost more than it tells.
    package func checkStoredPlaybackStates() async throws -> Int? { nil }
}
