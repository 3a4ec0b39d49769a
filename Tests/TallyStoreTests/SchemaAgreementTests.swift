import Foundation
import GRDB
import Logging
import PostgresNIO
import TallyCore
import TallyTestSupport
import Testing

@testable import TallyPipeline
@testable import TallyPostgres
@testable import TallySQLite

/// Each engine's catalog against `StoredTables`: the same tables, column names and nullability, so that a row means
/// the same in both (SQL types may differ).
@Suite("Schema agreement")
struct SchemaAgreementTests {
    /// Column name → nullable, as `StoredTables` describes a table.
    static func described(_ table: StoredTable) -> [String: Bool] {
        Dictionary(uniqueKeysWithValues: table.columns.map { ($0.name, $0.nullable) })
    }

    @Test func sqliteMatchesTheDescription() async throws {
        let directory = TemporaryDirectory()
        let store = try SQLiteEventStore(directory: directory.path)
        for table in StoredTables.all {
            let catalog = try await store.pool.read { db in
                // A primary key column is never NULL, whatever table_info's notnull says of it.
                try Row.fetchAll(db, sql: "PRAGMA table_info(\(table.name))").reduce(into: [String: Bool]()) { columns, row in
                    let notNull: Int = row["notnull"]
                    let primaryKey: Int = row["pk"]
                    columns[row["name"]] = notNull == 0 && primaryKey == 0
                }
            }
            #expect(catalog == Self.described(table), "SQLite \(table.name)")
        }
        try await store.close()
    }

    @Test(.enabled(if: testPostgresURL != nil, "TALLY_TEST_POSTGRES_URL is not set; PostgreSQL tests skipped"))
    func postgresMatchesTheDescription() async throws {
        let settings = try isolatedPostgres(prefix: "schema_")
        try await PostgresStores.withStores { stores in
            let store = try await stores.open(settings: settings, logger: Logger(label: "test"))
            for table in StoredTables.all {
                #expect(try await Self.catalog(store, table: table.name) == Self.described(table), "PostgreSQL \(table.name)")
            }
        }
    }

    /// A schema from before v9 stored "" as the name of start and end entries; the migration makes it NULL, and
    /// reads give the same entries before and after.
    @Test(.enabled(if: testPostgresURL != nil, "TALLY_TEST_POSTGRES_URL is not set; PostgreSQL tests skipped"))
    func postgresMigratesEmptyEntryNamesToNull() async throws {
        let settings = try isolatedPostgres(prefix: "names_")
        let s = settings.schema
        try await PostgresStores.withStores { stores in
            let store = try await stores.open(settings: settings, logger: Logger(label: "test"))
            // Back to v8: the column NOT NULL, "" for entries without a name.
            for statement in [
                "INSERT INTO \(s).session_entries VALUES ('s', 1, 'SESSION_START', 100, ''), ('s', 2, 'EVENT', 101, 'play'), ('s', 3, 'EVENT', 102, '')",
                "UPDATE \(s).session_entries SET name = '' WHERE name IS NULL",
                "ALTER TABLE \(s).session_entries ALTER COLUMN name SET NOT NULL",
                "DELETE FROM \(s).schema_migrations WHERE version = 'v9-session-entry-names'",
            ] {
                try await store.client.query(PostgresQuery(unsafeSQL: statement), logger: Logger(label: "test"))
            }
            let reopened = try await stores.open(settings: settings, logger: Logger(label: "test"))
            let names = try await reopened.client.query(
                "SELECT ordinal, name FROM \(unescaped: s).session_entries ORDER BY ordinal", logger: Logger(label: "test"))
            var stored: [Int64: String?] = [:]
            for try await (ordinal, name) in names.decode((Int64, String?).self) { stored[ordinal] = name }
            #expect(stored == [1: nil, 2: "play", 3: ""], "an event's empty name stays an empty name")
            #expect(try await Self.catalog(reopened, table: "session_entries")["name"] == true)
            let entries = try await reopened.sessionEntries(id: "s", after: 0, limit: 10).map(\.entry.kind)
            #expect(entries == [.start(sessionId: "s"), .event(name: "play"), .event(name: "")])
        }
    }

    static func catalog(_ store: PostgresEventStore, table: String) async throws -> [String: Bool] {
        let rows = try await store.client.query(
            """
            SELECT column_name, is_nullable FROM information_schema.columns
            WHERE table_schema = \(store.schema) AND table_name = \(table)
            """, logger: Logger(label: "test"))
        var columns: [String: Bool] = [:]
        for try await (name, nullable) in rows.decode((String, String).self) { columns[name] = nullable == "YES" }
        return columns
    }
}
