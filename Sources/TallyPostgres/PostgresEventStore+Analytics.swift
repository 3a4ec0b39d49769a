import PostgresNIO
import TallyCore
import TallyPipeline

extension PostgresEventStore: AdAnalyticsStore {
    package func adCounts(_ hour: AdHour) async throws -> AdHourCounts {
        try await perform("reading ad counts") { [self] in
            let rows = try await client.query(
                """
                SELECT unique_users, clicks, impressions FROM \(unescaped: s).ad_hours WHERE hour_ms = \(hour.startMilliseconds)
                """, logger: logger)
            for try await (users, clicks, impressions) in rows.decode((Int64, Int64, Int64).self) {
                return AdHourCounts(uniqueUsers: users, clicks: clicks, impressions: impressions)
            }
            return .zero
        }
    }

    package func adCounts(_ hours: ClosedRange<AdHour>) async throws -> [AdHour: AdHourCounts] {
        try await perform("reading ad counts") { [self] in
            let rows = try await client.query(
                """
                SELECT hour_ms, unique_users, clicks, impressions FROM \(unescaped: s).ad_hours
                WHERE hour_ms BETWEEN \(hours.lowerBound.startMilliseconds) AND \(hours.upperBound.startMilliseconds)
                """, logger: logger)
            var counts: [AdHour: AdHourCounts] = [:]
            for try await (hour, users, clicks, impressions) in rows.decode((Int64, Int64, Int64, Int64).self) {
                counts[AdHour(startMilliseconds: hour)] = AdHourCounts(uniqueUsers: users, clicks: clicks, impressions: impressions)
            }
            return counts
        }
    }

    /// One statement for the whole batch: log the events, insert each `(hour, user)` once (rows that were new
    /// come back from `RETURNING` and count as unique users), and add everything to the hours' counter rows in
    /// hour order.
    func writeAds(_ ads: [AdEvent], on connection: PostgresConnection) async throws {
        guard !ads.isEmpty else { return }
        let times = ads.map(\.timestamp.millisecondsSinceEpoch)
        let users = ads.map(\.user)
        let kinds = ads.map(\.interaction.rawValue)
        try await connection.query(
            """
            WITH input AS (
                SELECT t, u, k, t - t % 3600000 AS h FROM unnest(\(times)::int8[], \(users)::text[], \(kinds)::text[]) AS i(t, u, k)
            ), logged AS (
                INSERT INTO \(unescaped: s).ad_events (event_time_ms, user_id, interaction) SELECT t, u, k FROM input
            ), first_seen AS (
                INSERT INTO \(unescaped: s).ad_hour_users (hour_ms, user_id)
                SELECT DISTINCT h, u FROM input ORDER BY h, u
                ON CONFLICT DO NOTHING RETURNING hour_ms
            ), per_hour AS (
                SELECT h, sum(nu) AS nu, sum(c) AS c, sum(i) AS i FROM (
                    SELECT hour_ms AS h, 1 AS nu, 0 AS c, 0 AS i FROM first_seen
                    UNION ALL
                    SELECT h, 0, (k = 'click')::int, (k = 'impression')::int FROM input
                ) counted GROUP BY h
            )
            INSERT INTO \(unescaped: s).ad_hours (hour_ms, unique_users, clicks, impressions)
            SELECT h, nu, c, i FROM per_hour ORDER BY h
            ON CONFLICT (hour_ms) DO UPDATE SET unique_users = ad_hours.unique_users + excluded.unique_users,
                clicks = ad_hours.clicks + excluded.clicks, impressions = ad_hours.impressions + excluded.impressions
            """, logger: logger)
    }
}
