import PostgresNIO
import TallyCore
import TallyPipeline

extension PostgresEventStore: SessionStore {
    public var sharesSessionsWithOtherServers: Bool { true }

    func writeSessions(_ sessions: [SessionCommit], on connection: PostgresConnection) async throws {
        for commit in sessions {
            let id = commit.header.id
            if !commit.stored.isEmpty {
                let names = commit.stored.map { stored -> String in
                    if case .event(let name) = stored.entry.kind { return name }
                    return ""
                }
                // Names travel in a text[] without NULLs; a start or end entry stores NULL (StoredTables.sessionEntries).
                try await connection.query("""
                    INSERT INTO \(unescaped: s).session_entries (\(unescaped: StoredTables.sessionEntries.columnList))
                    SELECT \(id), o, t, ts, CASE WHEN t = 'EVENT' THEN n END
                    FROM unnest(\(commit.stored.map { Int64($0.ordinal) })::int8[], \(commit.stored.map(\.entry.kind.typeName))::text[],
                        \(commit.stored.map(\.entry.timestamp))::int8[], \(names)::text[]) AS e(o, t, ts, n)
                    """, logger: logger)
            }
            let h = commit.header
            let tree = commit.tree.map { String(decoding: $0, as: UTF8.self) }
            try await connection.query("""
                INSERT INTO \(unescaped: s).sessions (session_id, start_ts, end_ts, entries, last_seq, last_activity_ms, tree)
                VALUES (\(id), \(h.start?.timestamp), \(h.end?.timestamp), \(Int64(h.entryCount)), \(h.lastSeq),
                    \(h.lastActivity.millisecondsSinceEpoch), \(tree))
                ON CONFLICT (session_id) DO UPDATE SET start_ts = excluded.start_ts, end_ts = excluded.end_ts,
                    entries = excluded.entries, last_seq = excluded.last_seq, last_activity_ms = excluded.last_activity_ms,
                    tree = coalesce(excluded.tree, sessions.tree)
                """, logger: logger)
        }
    }

    public func sessionHeader(id: String) async throws -> SessionHeader? {
        try await perform("reading session \(id)") { [self] in
            try await headers(client.query("""
                SELECT session_id, start_ts, end_ts, entries, last_seq, last_activity_ms FROM \(unescaped: s).sessions
                WHERE session_id = \(id)
                """, logger: logger)).first
        }
    }

    public func sessionEntries(id: String, after: Int, limit: Int) async throws -> [(ordinal: Int, entry: SessionEntry)] {
        try await perform("reading entries of session \(id)") { [self] in
            let rows = try await client.query("""
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

    public func sessionTree(id: String) async throws -> [UInt8]? {
        try await perform("reading the tree of session \(id)") { [self] in
            let rows = try await client.query("SELECT tree FROM \(unescaped: s).sessions WHERE session_id = \(id)", logger: logger)
            for try await tree in rows.decode(String?.self) { return tree.map { Array($0.utf8) } }
            return nil
        }
    }

    public func listSessions(status: SessionHeader.Status?, limit: Int, now: Timestamp, abandonAfter: Duration) async throws -> [SessionHeader] {
        let cutoff = now.millisecondsSinceEpoch - abandonAfter.milliseconds
        // 0: all, 1: complete, 2: open, 3: abandoned, chosen by a bound parameter so the statement stays fixed.
        let mode: Int64 = switch status {
        case nil: 0
        case .complete?: 1
        case .open?: 2
        case .abandoned?: 3
        }
        return try await perform("listing sessions") { [self] in
            try await headers(client.query("""
                SELECT session_id, start_ts, end_ts, entries, last_seq, last_activity_ms FROM \(unescaped: s).sessions
                WHERE \(mode) = 0 OR (\(mode) = 1 AND end_ts IS NOT NULL)
                    OR (\(mode) = 2 AND end_ts IS NULL AND last_activity_ms >= \(cutoff))
                    OR (\(mode) = 3 AND end_ts IS NULL AND last_activity_ms < \(cutoff))
                ORDER BY last_activity_ms DESC LIMIT \(Int64(limit))
                """, logger: logger))
        }
    }

    private func headers(_ rows: PostgresRowSequence) async throws -> [SessionHeader] {
        var headers: [SessionHeader] = []
        for try await (id, start, end, entries, lastSeq, activity) in rows.decode((String, Int64?, Int64?, Int64, Int64?, Int64).self) {
            headers.append(SessionHeader(stored: id, start: start, end: end, entries: Int(entries), lastSeq: lastSeq, lastActivity: activity))
        }
        return headers
    }
}
