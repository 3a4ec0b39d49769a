/// A column as every engine stores it: the SQL type may differ (`INTEGER` or `bigint`), the name and whether it
/// may be NULL may not.
public struct StoredColumn: Sendable, Hashable {
    /// The column's name, the same in every engine.
    public var name: String
    /// NULL means "none" (no duration seen yet, no end yet, not an event): engines never stand in a sentinel value.
    public var nullable: Bool

    init(_ name: String, nullable: Bool = false) {
        self.name = name
        self.nullable = nullable
    }
}

/// A table every engine keeps, with the same columns and the same meaning for each.
public struct StoredTable: Sendable, Hashable {
    /// The table's name, the same in every engine.
    public let name: String
    /// Its columns, in the order rows are mapped.
    public let columns: [StoredColumn]
    /// The column names in order, for SELECT and INSERT lists that map rows positionally (built once: statements
    /// are assembled from it on every commit).
    public let columnList: String

    init(name: String, columns: [StoredColumn]) {
        self.name = name
        self.columns = columns
        self.columnList = columns.map(\.name).joined(separator: ", ")
    }
}

/// The tables both engines keep: one description, so that their schemas cannot drift apart (the schema contract
/// test compares each engine's catalog with it). Engine-only tables (SQLite's `content_totals` and `quarantine`)
/// are not listed.
public enum StoredTables {
    /// Raw heartbeats, as received.
    public static let heartbeats = StoredTable(
        name: "heartbeats",
        columns: [
            .init("id"), .init("user_id"), .init("movie_id"), .init("duration"), .init("position"), .init("event_time_ms"),
            .init("received_ms"),
        ])
    /// Raw watch events, as received.
    public static let watchEvents = StoredTable(
        name: "watch_events",
        columns: [
            .init("id"), .init("user_id"), .init("slug"), .init("at"), .init("received_ms"),
        ])
    /// Key first, then the values `PlaybackState(storedPosition:…)` maps.
    public static let playbackState = StoredTable(
        name: "playback_state",
        columns: [
            .init("user_id"), .init("content_id"), .init("position"), .init("latest_ms"), .init("last_seen_ms"),
            .init("max_position"), .init("duration", nullable: true), .init("watch_ms"), .init("events"),
        ])
    /// Emitted resume arrays, by user, window and revision.
    public static let resumeWindows = StoredTable(
        name: "resume_windows",
        columns: [
            .init("user_id"), .init("window_start_ms"), .init("window_end_ms"), .init("revision"), .init("positions"),
        ])
    /// Session headers.
    public static let sessions = StoredTable(
        name: "sessions",
        columns: [
            .init("session_id"), .init("start_ts", nullable: true), .init("end_ts", nullable: true), .init("entries"),
            .init("last_seq", nullable: true), .init("last_activity_ms"), .init("tree", nullable: true),
        ])
    /// `name` is an event's name and NULL for the start and end entries.
    public static let sessionEntries = StoredTable(
        name: "session_entries",
        columns: [
            .init("session_id"), .init("ordinal"), .init("type"), .init("timestamp"), .init("name", nullable: true),
        ])
    /// Raw ad events.
    public static let adEvents = StoredTable(
        name: "ad_events",
        columns: [
            .init("id"), .init("event_time_ms"), .init("user_id"), .init("interaction"),
        ])
    /// Each hour's distinct users: the exact unique count is this table's row count per hour.
    public static let adHourUsers = StoredTable(name: "ad_hour_users", columns: [.init("hour_ms"), .init("user_id")])
    /// Each hour's counters.
    public static let adHours = StoredTable(
        name: "ad_hours",
        columns: [
            .init("hour_ms"), .init("unique_users"), .init("clicks"), .init("impressions"),
        ])
    /// The row `/health` writes to prove the store accepts writes.
    public static let healthProbe = StoredTable(name: "health_probe", columns: [.init("id"), .init("payload")])
    /// API keys (digests of their secrets, never the secrets).
    public static let apiKeys = StoredTable(
        name: "api_keys",
        columns: [
            .init("id"), .init("name"), .init("scope"), .init("secret_sha256"), .init("created_ms"),
            .init("last_used_ms", nullable: true), .init("revoked_ms", nullable: true),
        ])

    /// Every shared table, for the schema contract test.
    public static let all = [
        heartbeats, watchEvents, playbackState, resumeWindows, sessions, sessionEntries, adEvents, adHourUsers, adHours,
        healthProbe, apiKeys,
    ]
}

extension StoredTable {
    /// The column names in order, each qualified by a query's alias for the table (`p.user_id, p.content_id, …`).
    public func columnList(qualifiedBy alias: String) -> String {
        columns.map { "\(alias).\($0.name)" }.joined(separator: ", ")
    }
}
