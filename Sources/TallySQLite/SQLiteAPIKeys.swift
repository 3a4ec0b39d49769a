import Foundation
import GRDB
import TallyCore
import TallyPipeline

/// API keys in the SQLite store's `api_keys` table, through any GRDB writer: the server's pool, or the connection
/// `tally keys` opens while the server runs. That one does not take the data directory's lock (it is the server's,
/// against a second server); SQLite's own locking orders the two writers.
package struct SQLiteAPIKeys: APIKeyStore {
    let database: any DatabaseWriter

    /// Opens `tally.sqlite` in `directory` for key management (creating and migrating it if it does not exist yet).
    package static func open(directory: String) throws -> SQLiteAPIKeys {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            let queue = try DatabaseQueue(
                path: (directory as NSString).appendingPathComponent("tally.sqlite"), configuration: configuration)
            try SQLiteSchema.migrator.migrate(queue)
            return SQLiteAPIKeys(database: queue)
        } catch {
            throw StoreError(operation: "opening the SQLite store in \(directory)", underlying: error)
        }
    }

    package func createAPIKey(_ record: APIKeyRecord) async throws {
        try await SQLiteEventStore.perform("creating an API key") {
            try await database.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO api_keys (id, name, scope, secret_sha256, created_ms) VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        record.id, record.name, record.scope.rawValue, Data(record.secretDigest),
                        record.createdAt.millisecondsSinceEpoch,
                    ])
            }
        }
    }

    package func apiKeys() async throws -> [APIKeyRecord] {
        try await SQLiteEventStore.perform("reading API keys") {
            try await database.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, name, scope, secret_sha256, created_ms, last_used_ms, revoked_ms FROM api_keys
                        ORDER BY created_ms, id
                        """
                ).compactMap(Self.record)
            }
        }
    }

    package func revokeAPIKey(id: String, at time: Timestamp) async throws -> Bool {
        try await SQLiteEventStore.perform("revoking an API key") {
            try await database.write { db in
                try db.execute(
                    sql: "UPDATE api_keys SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL",
                    arguments: [time.millisecondsSinceEpoch, id])
                return db.changesCount > 0
            }
        }
    }

    package func recordAPIKeyUse(_ uses: [String: Timestamp]) async throws {
        guard !uses.isEmpty else { return }
        try await SQLiteEventStore.perform("recording API key use") {
            try await database.write { db in
                for (id, time) in uses {
                    try db.execute(
                        sql: """
                            UPDATE api_keys SET last_used_ms = max(coalesce(last_used_ms, 0), ?) WHERE id = ?
                            """, arguments: [time.millisecondsSinceEpoch, id])
                }
            }
        }
    }

    /// A row another tool wrote badly is skipped: an unreadable key cannot authorize anything.
    private static func record(_ row: Row) -> APIKeyRecord? {
        let stored = StoredRow(row: row)
        do throws(CorruptRow) {
            guard let scope = AccessScope(rawValue: try stored.text(2, "scope")),
                case .blob(let digest) = (row[3] as DatabaseValue).storage, digest.count == 32
            else { return nil }
            return APIKeyRecord(
                id: try stored.text(0, "id"), name: try stored.text(1, "name"), scope: scope, secretDigest: Array(digest),
                createdAt: Timestamp(millisecondsSinceEpoch: try stored.integer(4, "created_ms", in: StoredRow.timeRange)),
                lastUsedAt: try stored.optionalInteger(5, "last_used_ms", in: StoredRow.timeRange).map(
                    Timestamp.init(millisecondsSinceEpoch:)),
                revokedAt: try stored.optionalInteger(6, "revoked_ms", in: StoredRow.timeRange).map(Timestamp.init(millisecondsSinceEpoch:))
            )
        } catch {
            return nil
        }
    }
}

extension SQLiteEventStore: APIKeyStore {
    var keys: SQLiteAPIKeys { SQLiteAPIKeys(database: pool) }

    package func createAPIKey(_ record: APIKeyRecord) async throws { try await keys.createAPIKey(record) }
    package func apiKeys() async throws -> [APIKeyRecord] { try await keys.apiKeys() }
    package func revokeAPIKey(id: String, at time: Timestamp) async throws -> Bool { try await keys.revokeAPIKey(id: id, at: time) }
    package func recordAPIKeyUse(_ uses: [String: Timestamp]) async throws { try await keys.recordAPIKeyUse(uses) }
}
