import GRDB
import TallyCore

extension SQLiteEventStore: AdAnalyticsStore {
    public func adCounts(_ hour: AdHour) async throws -> AdHourCounts {
        adHours.withLock { $0[hour] ?? .zero }
    }

    static func loadAdHours(_ db: Database) throws -> [AdHour: AdHourCounts] {
        var hours: [AdHour: AdHourCounts] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT hour_ms, unique_users, clicks, impressions FROM ad_hours") {
            hours[AdHour(startMilliseconds: row[0])] = AdHourCounts(uniqueUsers: row[1], clicks: row[2], impressions: row[3])
        }
        return hours
    }

    /// Adds a committed batch's counts to the in-memory copy.
    func installAdChanges(_ changes: [(hour: AdHour, counts: AdHourCounts)]) {
        guard !changes.isEmpty else { return }
        adHours.withLock { hours in
            for (hour, delta) in changes {
                var counts = hours[hour] ?? .zero
                counts.uniqueUsers += delta.uniqueUsers
                counts.clicks += delta.clicks
                counts.impressions += delta.impressions
                hours[hour] = counts
            }
        }
    }

    /// Logs the ad events, records each `(hour, user)` once (a first insert is a new unique user), and adds the
    /// batch's counts to the hours' counter rows. Runs inside the commit's transaction; returns what it added.
    static func write(_ batch: CommitBatch, in db: Database) throws -> [(hour: AdHour, counts: AdHourCounts)] {
        guard !batch.ads.isEmpty else { return [] }
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
        var added: [(hour: AdHour, counts: AdHourCounts)] = []
        for (hour, var counts) in batch.adCountsByHour {
            counts.uniqueUsers = newUsers[hour] ?? 0
            counters.bind(hour.startMilliseconds)
            counters.bind(counts.uniqueUsers)
            counters.bind(counts.clicks)
            counters.bind(counts.impressions)
            try counters.step()
            added.append((hour, counts))
        }
        return added
    }
}
