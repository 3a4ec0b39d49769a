import GRDB
import TallyCore
import TallyPipeline

extension SQLiteEventStore: AdAnalyticsStore {
    package func adCounts(_ hour: AdHour) async throws -> AdHourCounts {
        adHours.withLock { $0[hour] ?? .zero }
    }

    package func adCounts(_ hours: ClosedRange<AdHour>) async throws -> [AdHour: AdHourCounts] {
        adHours.withLock { $0.filter { hours.contains($0.key) } }
    }

    /// Every hour's counters, with unloadable rows quarantined. Counters above 2^53 were not written by Tally
    /// (that many events would take centuries) and would let an increment overflow.
    static func loadAdHours(_ db: Database, now: Timestamp) throws -> [AdHour: AdHourCounts] {
        var hours: [AdHour: AdHourCounts] = [:]
        var corrupt: [QuarantineCandidate] = []
        let counter: ClosedRange<Int64> = 0...(1 << 53)
        for row in try Row.fetchAll(db, sql: "SELECT hour_ms, unique_users, clicks, impressions FROM ad_hours") {
            let decoded = StoredRow.decode(row, source: "ad_hours", keyColumns: 0..<1, deleteWhere: "hour_ms IS ?", corrupt: &corrupt) {
                stored throws(CorruptRow) in
                let hour = try stored.integer(0, "hour_ms", in: StoredRow.timeRange)
                guard hour % AdHour.milliseconds == 0 else { throw CorruptRow(column: "hour_ms", reason: "is not the start of an hour") }
                let counts = AdHourCounts(
                    uniqueUsers: try stored.integer(1, "unique_users", in: counter),
                    clicks: try stored.integer(2, "clicks", in: counter),
                    impressions: try stored.integer(3, "impressions", in: counter))
                return (AdHour(startMilliseconds: hour), counts)
            }
            if let (hour, counts) = decoded { hours[hour] = counts }
        }
        try quarantine(corrupt, in: db, now: now)
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
        var log = PreparedInsert(
            try db.cachedStatement(
                sql: """
                    INSERT INTO ad_events (event_time_ms, user_id, interaction) VALUES (?, ?, ?)
                    """))
        var firstSeen = PreparedInsert(
            try db.cachedStatement(
                sql: """
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
        var counters = PreparedInsert(
            try db.cachedStatement(
                sql: """
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
