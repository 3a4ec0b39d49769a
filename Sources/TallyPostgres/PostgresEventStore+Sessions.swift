import PostgresNIO
import TallyCore
import TallyPipeline

extension PostgresEventStore: SessionStore {
    package var sharesSessionsWithOtherServers: Bool { true }

    func writeSessions(_ sessions: [SessionCommit], on connection: PostgresConnection) async throws {
        for commit in sessions {
            let id = commit.header.id
            if !commit.stored.isEmpty {
                let names = commit.stored.map { stored -> String in
                    if case .event(let name) = stored.entry.kind { return name }
                    return ""
                }
                // Names travel in a text[] without NULLs; a start or end entry stores NULL (StoredTables.sessionEntries).
                try await connection.query(
                    """
                    INSERT INTO \(unescaped: s).session_entries (\(unescaped: StoredTables.sessionEntries.columnList))
                    SELECT \(id), o, t, ts, CASE WHEN t = 'EVENT' THEN n END
                    FROM unnest(\(commit.stored.map { Int64($0.ordinal) })::int8[], \(commit.stored.map(\.entry.kind.typeName))::text[],
                        \(commit.stored.map(\.entry.timestamp))::int8[], \(names)::text[]) AS e(o, t, ts, n)
                    """, logger: logger)
            }
            let h = commit.header
            let tree = commit.tree.map { String(decoding: $0, as: UTF8.self) }
            try await connection.query(
                """
                INSERT INTO \(unescaped: s).sessions (\(unescaped: StoredTables.sessions.columnList))
                VALUES (\(id), \(h.start?.timestamp), \(h.end?.timestamp), \(Int64(h.entryCount)), \(h.lastSeq),
                    \(h.lastActivity.millisecondsSinceEpoch), \(tree))
                \(unescaped: SharedSQL.sessionHeaderUpsert)
                """, logger: logger)
        }
    }

    package func sessionHeader(id: String) async throws -> SessionHeader? {
        try await perform("reading session \(id)") { [self] in
            try await headers(
                client.query(
                    """
                    SELECT \(unescaped: SharedSQL.sessionHeaderColumns) FROM \(unescaped: s).sessions
                    WHERE session_id = \(id)
                    """, logger: logger)
            ).first
        }
    }

    package func sessionEntries(id: String, after: Int, limit: Int) async throws -> [(ordinal: Int, entry: SessionEntry)] {
        try await perform("reading entries of session \(id)") { [self] in
            let rows = try await client.query(
                """
                SELECT ordinal, type, timestamp, name FROM \(unescaped: s).session_entries
                WHERE session_id = \(id) AND ordinal > \(Int64(after)) ORDER BY ordinal LIMIT \(Int64(limit))
                """, logger: logger)
            var entries: [(ordinal: Int, entry: SessionEntry)] = []
            for try await (ordinal, type, timestamp, name) in rows.decode((Int64, String, Int64, String?).self) {
                entries.append((Int(ordinal), SessionEntry(stored: type, sessionId: id, timestamp: timestamp, name: name)))
            }
            return entries
        }
    }

    package func sessionTree(id: String) async throws -> [UInt8]? {
        try await perform("reading the tree of session \(id)") { [self] in
            let rows = try await client.query("SELECT tree FROM \(unescaped: s).sessions WHERE session_id = \(id)", logger: logger)
            for try await tree in rows.decode(String?.self) { return tree.map { Array($0.utf8) } }
            return nil
        }
    }

    package func listSessions(status: SessionHeader.Status?, limit: Int, now: Timestamp, abandonAfter: Duration) async throws
        -> [SessionHeader]
    {
        let cutoff = now.millisecondsSinceEpoch - abandonAfter.milliseconds
        return try await perform("listing sessions") { [self] in
            try await headers(
                client.query(
                    """
                    SELECT \(unescaped: SharedSQL.sessionHeaderColumns) FROM \(unescaped: s).sessions
                    WHERE \(unescaped: SharedSQL.sessionStatusCondition(status, cutoffMs: cutoff))
                    ORDER BY last_activity_ms DESC LIMIT \(Int64(limit))
                    """, logger: logger))
        }
    }

    private func headers(_ rows: PostgresRowSequence) async throws -> [SessionHeader] {
        var headers: [SessionHeader] = []
        for try await (id, start, end, entries, lastSeq, activity) in rows.decode((String, Int64?, Int64?, Int64, Int64?, Int64).self) {
            headers.append(
                SessionHeader(stored: id, start: start, end: end, entries: Int(entries), lastSeq: lastSeq, lastActivity: activity))
        }
        return headers
    }
}
