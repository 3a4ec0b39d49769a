import NIOCore
import PostgresNIO
import TallyCore
import TallyPipeline

extension PostgresEventStore: APIKeyStore {
    package func createAPIKey(_ record: APIKeyRecord) async throws {
        try await perform("creating an API key") { [self] in
            try await client.query(
                """
                INSERT INTO \(unescaped: s).api_keys (id, name, scope, secret_sha256, created_ms)
                VALUES (\(record.id), \(record.name), \(record.scope.rawValue), \(ByteBuffer(bytes: record.secretDigest)),
                    \(record.createdAt.millisecondsSinceEpoch))
                """, logger: logger)
        }
    }

    package func apiKeys() async throws -> [APIKeyRecord] {
        try await perform("reading API keys") { [self] in
            let rows = try await client.query(
                """
                SELECT id, name, scope, secret_sha256, created_ms, last_used_ms, revoked_ms FROM \(unescaped: s).api_keys
                ORDER BY created_ms, id
                """, logger: logger)
            var records: [APIKeyRecord] = []
            for try await (id, name, scope, digest, created, lastUsed, revoked)
                in rows.decode((String, String, String, ByteBuffer, Int64, Int64?, Int64?).self)
            {
                // An unreadable key cannot authorize anything: skipped.
                guard let scope = AccessScope(rawValue: scope), digest.readableBytes == 32 else { continue }
                records.append(
                    APIKeyRecord(
                        id: id, name: name, scope: scope, secretDigest: Array(digest.readableBytesView),
                        createdAt: Timestamp(millisecondsSinceEpoch: created),
                        lastUsedAt: lastUsed.map(Timestamp.init(millisecondsSinceEpoch:)),
                        revokedAt: revoked.map(Timestamp.init(millisecondsSinceEpoch:))))
            }
            return records
        }
    }

    package func revokeAPIKey(id: String, at time: Timestamp) async throws -> Bool {
        try await perform("revoking an API key") { [self] in
            let rows = try await client.query(
                """
                UPDATE \(unescaped: s).api_keys SET revoked_ms = \(time.millisecondsSinceEpoch)
                WHERE id = \(id) AND revoked_ms IS NULL RETURNING id
                """, logger: logger)
            for try await _ in rows.decode(String.self) { return true }
            return false
        }
    }

    package func recordAPIKeyUse(_ uses: [String: Timestamp]) async throws {
        guard !uses.isEmpty else { return }
        try await perform("recording API key use") { [self] in
            try await client.query(
                """
                UPDATE \(unescaped: s).api_keys k SET last_used_ms = greatest(coalesce(k.last_used_ms, 0), u.at)
                FROM unnest(\(Array(uses.keys))::text[], \(uses.values.map(\.millisecondsSinceEpoch))::int8[]) AS u(id, at)
                WHERE k.id = u.id
                """, logger: logger)
        }
    }
}
