import PostgresNIO
import TallyCore
import TallyPipeline

/// A `playback_state` row in `StoredTables.playbackState` order.
typealias PlaybackRow = (String, String, Int64, Int64, Int64, Int64, Int64?, Int64, Int64)

extension PostgresEventStore {
    /// Locks the batch's keys, plans their new states from the committed ones, logs the events and upserts the
    /// states. Returns the states as committed.
    func writePlayback(
        _ events: [ReceivedEvent], rules: PlaybackRules, on connection: PostgresConnection
    ) async throws -> [PlaybackKey: PlaybackState] {
        guard !events.isEmpty else { return [:] }
        let keys = Array(Set(events.map(\.key)))
        let users = keys.map(\.user)
        let contents = keys.map(\.content)
        try await connection.query(
            """
            SELECT pg_advisory_xact_lock(h) FROM (
                SELECT DISTINCT hashtextextended(u || chr(1) || c, 0) AS h FROM unnest(\(users)::text[], \(contents)::text[]) AS k(u, c)
                ORDER BY h) locks
            """, logger: logger)
        var current: [PlaybackKey: PlaybackState] = [:]
        let rows = try await connection.query(
            """
            SELECT \(unescaped: StoredTables.playbackState.columnList(qualifiedBy: "p"))
            FROM \(unescaped: s).playback_state p
            JOIN unnest(\(users)::text[], \(contents)::text[]) AS k(u, c) ON p.user_id = k.u AND p.content_id = k.c
            """, logger: logger)
        for try await row in rows.decode(PlaybackRow.self) { current[Self.key(row)] = Self.state(row) }
        let states = PlaybackProcessor(rules: rules).plan(events) { current[$0] }

        var hb = (users: [String](), movies: [String](), durations: [Int64](), positions: [Int64](), times: [Int64](), received: [Int64]())
        var watch = (users: [String](), slugs: [String](), at: [Int64](), received: [Int64]())
        for received in events {
            switch received.event {
            case .heartbeat(let h):
                hb.users.append(h.userId)
                hb.movies.append(h.movieId)
                hb.durations.append(h.duration)
                hb.positions.append(h.position)
                hb.times.append(h.timestamp.millisecondsSinceEpoch)
                hb.received.append(received.receivedAt.millisecondsSinceEpoch)
            case .watch(let w):
                watch.users.append(w.user)
                watch.slugs.append(w.slug)
                watch.at.append(w.at)
                watch.received.append(received.receivedAt.millisecondsSinceEpoch)
            }
        }
        if !hb.users.isEmpty {
            try await connection.query(
                """
                INSERT INTO \(unescaped: s).heartbeats (user_id, movie_id, duration, position, event_time_ms, received_ms)
                SELECT * FROM unnest(\(hb.users)::text[], \(hb.movies)::text[], \(hb.durations)::int8[], \(hb.positions)::int8[],
                    \(hb.times)::int8[], \(hb.received)::int8[])
                """, logger: logger)
        }
        if !watch.users.isEmpty {
            try await connection.query(
                """
                INSERT INTO \(unescaped: s).watch_events (user_id, slug, at, received_ms)
                SELECT * FROM unnest(\(watch.users)::text[], \(watch.slugs)::text[], \(watch.at)::int8[], \(watch.received)::int8[])
                """, logger: logger)
        }
        try await upsert(states, on: connection)
        return states
    }

    private func upsert(_ states: [PlaybackKey: PlaybackState], on connection: PostgresConnection) async throws {
        guard !states.isEmpty else { return }
        let rows = Array(states)
        // Durations are never negative: -1 stands for "no heartbeat seen yet" in the array and becomes NULL.
        try await connection.query(
            """
            INSERT INTO \(unescaped: s).playback_state
                (\(unescaped: StoredTables.playbackState.columnList))
            SELECT u, c, p, l, ls, mp, NULLIF(d, -1), w, e FROM unnest(
                \(rows.map(\.key.user))::text[], \(rows.map(\.key.content))::text[], \(rows.map(\.value.position))::int8[],
                \(rows.map(\.value.latestAt.millisecondsSinceEpoch))::int8[], \(rows.map(\.value.lastSeenAt.millisecondsSinceEpoch))::int8[],
                \(rows.map(\.value.maxPosition))::int8[], \(rows.map { $0.value.duration ?? -1 })::int8[],
                \(rows.map(\.value.watchMilliseconds))::int8[], \(rows.map(\.value.events))::int8[]
            ) AS r(u, c, p, l, ls, mp, d, w, e)
            ON CONFLICT (user_id, content_id) DO UPDATE SET position = excluded.position, latest_ms = excluded.latest_ms,
                last_seen_ms = excluded.last_seen_ms, max_position = excluded.max_position, duration = excluded.duration,
                watch_ms = excluded.watch_ms, events = excluded.events
            """, logger: logger)
    }

    static func key(_ row: PlaybackRow) -> PlaybackKey { PlaybackKey(user: row.0, content: row.1) }

    static func state(_ row: PlaybackRow) -> PlaybackState {
        PlaybackState(
            storedPosition: row.2, latestMs: row.3, lastSeenMs: row.4, maxPosition: row.5, duration: row.6, watchMs: row.7,
            events: row.8)
    }
}
