import GRDB

/// Versioned schema of the SQLite store. Migrations are append-only: a released migration is never edited, a change
/// is a new migration, so every data directory upgrades the same way.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-playback") { db in
            try db.execute(
                sql: """
                    CREATE TABLE heartbeats (
                        id INTEGER PRIMARY KEY,
                        user_id TEXT NOT NULL,
                        movie_id TEXT NOT NULL,
                        duration INTEGER NOT NULL,
                        position INTEGER NOT NULL,
                        event_time_ms INTEGER NOT NULL,
                        received_ms INTEGER NOT NULL
                    );
                    CREATE TABLE watch_events (
                        id INTEGER PRIMARY KEY,
                        user_id TEXT NOT NULL,
                        slug TEXT NOT NULL,
                        at INTEGER NOT NULL,
                        received_ms INTEGER NOT NULL
                    );
                    CREATE TABLE playback_state (
                        user_id TEXT NOT NULL,
                        content_id TEXT NOT NULL,
                        position INTEGER NOT NULL,
                        latest_ms INTEGER NOT NULL,
                        last_seen_ms INTEGER NOT NULL,
                        max_position INTEGER NOT NULL,
                        duration INTEGER,
                        watch_ms INTEGER NOT NULL,
                        events INTEGER NOT NULL,
                        PRIMARY KEY (user_id, content_id)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v2-resume-windows") { db in
            try db.execute(
                sql: """
                    CREATE INDEX heartbeats_by_event_time ON heartbeats (event_time_ms);
                    CREATE TABLE resume_windows (
                        user_id TEXT NOT NULL,
                        window_start_ms INTEGER NOT NULL,
                        window_end_ms INTEGER NOT NULL,
                        revision INTEGER NOT NULL,
                        positions TEXT NOT NULL,
                        PRIMARY KEY (user_id, window_start_ms)
                    ) WITHOUT ROWID;
                    CREATE INDEX resume_windows_by_start ON resume_windows (window_start_ms);
                    """)
        }
        migrator.registerMigration("v3-sessions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE sessions (
                        session_id TEXT PRIMARY KEY,
                        start_ts INTEGER,
                        end_ts INTEGER,
                        entries INTEGER NOT NULL,
                        last_seq INTEGER,
                        last_activity_ms INTEGER NOT NULL,
                        tree TEXT
                    ) WITHOUT ROWID;
                    CREATE INDEX sessions_by_activity ON sessions (last_activity_ms);
                    CREATE TABLE session_entries (
                        session_id TEXT NOT NULL,
                        ordinal INTEGER NOT NULL,
                        type TEXT NOT NULL,
                        timestamp INTEGER NOT NULL,
                        name TEXT,
                        PRIMARY KEY (session_id, ordinal)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v4-ad-analytics") { db in
            try db.execute(
                sql: """
                    CREATE TABLE ad_events (
                        id INTEGER PRIMARY KEY,
                        event_time_ms INTEGER NOT NULL,
                        user_id TEXT NOT NULL,
                        interaction TEXT NOT NULL
                    );
                    CREATE TABLE ad_hour_users (
                        hour_ms INTEGER NOT NULL,
                        user_id TEXT NOT NULL,
                        PRIMARY KEY (hour_ms, user_id)
                    ) WITHOUT ROWID;
                    CREATE TABLE ad_hours (
                        hour_ms INTEGER PRIMARY KEY,
                        unique_users INTEGER NOT NULL,
                        clicks INTEGER NOT NULL,
                        impressions INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v5-quarantine") { db in
            try db.execute(
                sql: """
                    CREATE TABLE quarantine (
                        id INTEGER PRIMARY KEY,
                        source TEXT NOT NULL,
                        row_key TEXT NOT NULL,
                        row TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        quarantined_ms INTEGER NOT NULL,
                        UNIQUE (source, row_key)
                    );
                    """)
        }
        migrator.registerMigration("v6-health-probe") { db in
            try db.execute(sql: "CREATE TABLE health_probe (id INTEGER PRIMARY KEY CHECK (id = 1), payload BLOB NOT NULL)")
        }
        migrator.registerMigration("v7-content-totals") { db in
            // Sums as decimal text: exact in 128 bits (see ContentTotals).
            try db.execute(
                sql: """
                    CREATE TABLE content_totals (
                        content_id TEXT PRIMARY KEY,
                        viewers INTEGER NOT NULL,
                        watch_ms TEXT NOT NULL,
                        events TEXT NOT NULL
                    ) WITHOUT ROWID;
                    """)
            try SQLiteEventStore.fillContentTotals(in: db)
        }
        migrator.registerMigration("v8-api-keys") { db in
            try db.execute(
                sql: """
                    CREATE TABLE api_keys (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        scope TEXT NOT NULL,
                        secret_sha256 BLOB NOT NULL,
                        created_ms INTEGER NOT NULL,
                        last_used_ms INTEGER,
                        revoked_ms INTEGER
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v9-heartbeat-batches") { db in
            // One row per commit instead of an index entry per heartbeat: an event-time index takes a random
            // write for every late heartbeat, where a commit's id range is one appended row.
            try db.execute(
                sql: """
                    CREATE TABLE heartbeat_batches (
                        first_id INTEGER PRIMARY KEY,
                        last_id INTEGER NOT NULL,
                        max_time_ms INTEGER NOT NULL
                    );
                    CREATE INDEX heartbeat_batches_by_time ON heartbeat_batches (max_time_ms);
                    INSERT INTO heartbeat_batches (first_id, last_id, max_time_ms)
                        SELECT min(id), max(id), max(event_time_ms) FROM heartbeats HAVING count(*) > 0;
                    DROP INDEX heartbeats_by_event_time;
                    """)
        }
        migrator.registerMigration("v10-derived-journal") { db in
            // One row per commit holding the derived state it produced, written to the state tables later, once
            // per row however many commits changed it.
            try db.execute(sql: "CREATE TABLE derived_journal (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)")
        }
        return migrator
    }
}
