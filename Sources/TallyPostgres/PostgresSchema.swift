import Logging
import PostgresNIO

/// Versioned schema of the PostgreSQL store, applied at start under an advisory lock so that several servers
/// starting at once migrate exactly once (the others wait, then find the versions recorded). Migrations are
/// append-only, like SQLite's.
enum PostgresSchema {
    /// Arbitrary but fixed: the advisory-lock class all Tally servers agree on; the schema's hash is the object,
    /// so deployments (and tests) in different schemas of one database migrate side by side.
    static let lockClass: Int32 = 0x7461_6C79

    static func migrations(_ s: String) -> [(version: String, statements: [String])] {
        [
            (
                "v1-playback",
                [
                    """
                    CREATE TABLE \(s).heartbeats (id bigserial PRIMARY KEY, user_id text NOT NULL, movie_id text NOT NULL,
                        duration bigint NOT NULL, position bigint NOT NULL, event_time_ms bigint NOT NULL, received_ms bigint NOT NULL)
                    """,
                    "CREATE INDEX heartbeats_by_time ON \(s).heartbeats (event_time_ms)",
                    """
                    CREATE TABLE \(s).watch_events (id bigserial PRIMARY KEY, user_id text NOT NULL, slug text NOT NULL,
                        at bigint NOT NULL, received_ms bigint NOT NULL)
                    """,
                    """
                    CREATE TABLE \(s).playback_state (user_id text NOT NULL, content_id text NOT NULL, position bigint NOT NULL,
                        latest_ms bigint NOT NULL, last_seen_ms bigint NOT NULL, max_position bigint NOT NULL, duration bigint,
                        watch_ms bigint NOT NULL, events bigint NOT NULL, PRIMARY KEY (user_id, content_id))
                    """,
                    "CREATE INDEX playback_state_by_content ON \(s).playback_state (content_id)",
                ]
            ),
            (
                "v2-resume-windows",
                [
                    """
                    CREATE TABLE \(s).resume_windows (user_id text NOT NULL, window_start_ms bigint NOT NULL,
                        window_end_ms bigint NOT NULL, revision integer NOT NULL, positions text NOT NULL,
                        PRIMARY KEY (user_id, window_start_ms))
                    """,
                    "CREATE INDEX resume_windows_by_start ON \(s).resume_windows (window_start_ms)",
                ]
            ),
            (
                "v3-sessions",
                [
                    """
                    CREATE TABLE \(s).sessions (session_id text PRIMARY KEY, start_ts bigint, end_ts bigint, entries bigint NOT NULL,
                        last_seq bigint, last_activity_ms bigint NOT NULL, tree text)
                    """,
                    "CREATE INDEX sessions_by_activity ON \(s).sessions (last_activity_ms)",
                    """
                    CREATE TABLE \(s).session_entries (session_id text NOT NULL, ordinal bigint NOT NULL, type text NOT NULL,
                        timestamp bigint NOT NULL, name text NOT NULL, PRIMARY KEY (session_id, ordinal))
                    """,
                ]
            ),
            (
                "v4-ad-analytics",
                [
                    """
                    CREATE TABLE \(s).ad_events (id bigserial PRIMARY KEY, event_time_ms bigint NOT NULL, user_id text NOT NULL,
                        interaction text NOT NULL)
                    """,
                    "CREATE TABLE \(s).ad_hour_users (hour_ms bigint NOT NULL, user_id text NOT NULL, PRIMARY KEY (hour_ms, user_id))",
                    """
                    CREATE TABLE \(s).ad_hours (hour_ms bigint PRIMARY KEY, unique_users bigint NOT NULL, clicks bigint NOT NULL,
                        impressions bigint NOT NULL)
                    """,
                ]
            ),
            ("v6-health-probe", ["CREATE TABLE \(s).health_probe (id int PRIMARY KEY CHECK (id = 1), payload bytea NOT NULL)"]),
            (
                "v8-api-keys",
                [
                    """
                    CREATE TABLE \(s).api_keys (id text PRIMARY KEY, name text NOT NULL, scope text NOT NULL,
                        secret_sha256 bytea NOT NULL, created_ms bigint NOT NULL, last_used_ms bigint, revoked_ms bigint)
                    """
                ]
            ),
            // A start or end entry has no name: NULL, as in SQLite, where v3 stored "" (StoredTables.sessionEntries).
            (
                "v9-session-entry-names",
                [
                    "ALTER TABLE \(s).session_entries ALTER COLUMN name DROP NOT NULL",
                    "UPDATE \(s).session_entries SET name = NULL WHERE type <> 'EVENT'",
                ]
            ),
        ]
    }

    /// Applies the pending migrations in one transaction holding the advisory lock.
    static func migrate(_ client: PostgresClient, schema s: String, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockClass), hashtext(\(s)))", logger: logger)
            try await connection.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: s)", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS \(unescaped: s).schema_migrations (
                    version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            var applied = Set<String>()
            for try await version in try await connection.query(
                "SELECT version FROM \(unescaped: s).schema_migrations", logger: logger
            ).decode(String.self) {
                applied.insert(version)
            }
            for migration in migrations(s) where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO \(unescaped: s).schema_migrations (version) VALUES (\(migration.version))", logger: logger)
                logger.info("applied migration", metadata: ["version": "\(migration.version)", "schema": "\(s)"])
            }
        }
    }
}
