import PostgresNIO
import TallyCore

extension PostgresEventStore: PlaybackReader {
    public func state(_ key: PlaybackKey) async throws -> PlaybackState? {
        try await perform("reading a playback state") { [self] in
            let rows = try await client.query("""
                SELECT user_id, content_id, position, latest_ms, last_seen_ms, max_position, duration, watch_ms, events
                FROM \(unescaped: s).playback_state WHERE user_id = \(key.user) AND content_id = \(key.content)
                """, logger: logger)
            for try await row in rows.decode(PlaybackRow.self) { return Self.state(row) }
            return nil
        }
    }

    public func totals(content: String) async throws -> PlaybackIndex.ContentTotals? {
        try await perform("reading content totals") { [self] in
            let rows = try await client.query("""
                SELECT count(*), least(coalesce(sum(watch_ms), 0), 9223372036854775807)::int8,
                    least(coalesce(sum(events), 0), 9223372036854775807)::int8
                FROM \(unescaped: s).playback_state WHERE content_id = \(content)
                """, logger: logger)
            for try await (viewers, watch, events) in rows.decode((Int64, Int64, Int64).self) where viewers > 0 {
                return PlaybackIndex.ContentTotals(watchMilliseconds: watch, viewers: Int(viewers), events: events)
            }
            return nil
        }
    }

    public func titlesAndStates(user: String) async throws -> [(content: String, state: PlaybackState)]? {
        try await perform("reading a user's playback states") { [self] in
            let rows = try await client.query("""
                SELECT user_id, content_id, position, latest_ms, last_seen_ms, max_position, duration, watch_ms, events
                FROM \(unescaped: s).playback_state WHERE user_id = \(user)
                """, logger: logger)
            var titles: [(content: String, state: PlaybackState)] = []
            for try await row in rows.decode(PlaybackRow.self) { titles.append((row.1, Self.state(row))) }
            return titles.isEmpty ? nil : titles
        }
    }
}
