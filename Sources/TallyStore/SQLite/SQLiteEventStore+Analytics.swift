import GRDB
import TallyCore

extension SQLiteEventStore: AdAnalyticsStore {
    public func adCounts(_ hour: AdHour) async throws -> AdHourCounts {
        try await perform("reading ad counts") {
            try await pool.read { db in
                guard let row = try Row.fetchOne(
                    db, sql: "SELECT unique_users, clicks, impressions FROM ad_hours WHERE hour_ms = ?",
                    arguments: [hour.startMilliseconds])
                else { return .zero }
                return AdHourCounts(uniqueUsers: row[0], clicks: row[1], impressions: row[2])
            }
        }
    }

    /// Logs the ad events, records each `(hour, user)` once (a first insert is a new unique user), and adds the
    /// batch's counts to the hours' counter rows. Runs inside the commit's transaction.
    static func write(_ batch: CommitBatch, in db: Database) throws {
        guard !batch.ads.isEmpty else { return }
        var log = PreparedInsert(try db.cachedStatement(sql: """
            INSERT INTO ad_events (event_time_ms, user_id, interaction) VALUES (?, ?, ?)
            """))
        var firstSeen = PreparedInsert(try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO ad_hour_users (hour_ms, user_id) VALUES (?, ?)
            """))
        var newUsers: [AdHour: Int64] = [:]
        for ad in batch.ads {
            log.bind(ad.timestamp.millisecondsSinceEpoch)
            log.bind(ad.user)
            log.bind(ad.interaction.rawValue)
            try log.step()
            firstSeen.bind(ad.hour.startMilliseconds)
            firstSeen.bind(ad.user)
            try firstSeen.step()
            if db.changesCount > 0 { newUsers[ad.hour, default: 0] += 1 }
        }
        var counters = PreparedInsert(try db.cachedStatement(sql: """
            INSERT INTO ad_hours (hour_ms, unique_users, clicks, impressions) VALUES (?, ?, ?, ?)
            ON CONFLICT (hour_ms) DO UPDATE SET
                unique_users = unique_users + excluded.unique_users,
                clicks = clicks + excluded.clicks,
                impressions = impressions + excluded.impressions
            """))
        for (hour, counts) in batch.adCountsByHour {
            counters.bind(hour.startMilliseconds)
            counters.bind(newUsers[hour] ?? 0)
            counters.bind(counts.clicks)
            counters.bind(counts.impressions)
            try counters.step()
        }
    }
}
