import GRDB
import TallyCore
import TallyPipeline

extension SQLiteEventStore: SessionStore {
    /// One server per data directory (its lock): the writer's cached headers are exact.
    package var sharesSessionsWithOtherServers: Bool { false }

    static func write(_ sessions: [SessionCommit], in db: Database) throws {
        guard !sessions.isEmpty else { return }
        var entry = PreparedInsert(
            try db.cachedStatement(
                sql: """
                    INSERT INTO session_entries (\(StoredTables.sessionEntries.columnList)) VALUES (?, ?, ?, ?, ?)
                    """))
        var header = PreparedInsert(
            try db.cachedStatement(
                sql: """
                    INSERT INTO sessions (\(StoredTables.sessions.columnList)) VALUES (?, ?, ?, ?, ?, ?, ?)
                    \(SharedSQL.sessionHeaderUpsert)
                    """))
        for commit in sessions {
            for (ordinal, stored) in commit.stored {
                entry.bind(commit.header.id)
                entry.bind(Int64(ordinal))
                entry.bind(stored.kind.typeName)
                entry.bind(stored.timestamp)
                if case .event(let name) = stored.kind { entry.bind(name) } else { entry.bind(nil as Int64?) }
                try entry.step()
            }
            let h = commit.header
            header.bind(h.id)
            header.bind(h.start?.timestamp)
            header.bind(h.end?.timestamp)
            header.bind(Int64(h.entryCount))
            header.bind(h.lastSeq)
            header.bind(h.lastActivity.millisecondsSinceEpoch)
            if let tree = commit.tree { header.bind(String(decoding: tree, as: UTF8.self)) } else { header.bind(nil as Int64?) }
            try header.step()
        }
    }

    package func sessionHeader(id: String) async throws -> SessionHeader? {
        try await perform("reading session \(id)") {
            try await pool.read { db in
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT \(SharedSQL.sessionHeaderColumns) FROM sessions WHERE session_id = ?
                        """, arguments: [id]
                ).map { row throws(CorruptRow) in try Self.header(StoredRow(row: row)) }
            }
        }
    }

    package func sessionEntries(id: String, after: Int, limit: Int) async throws -> [(ordinal: Int, entry: SessionEntry)] {
        try await perform("reading entries of session \(id)") {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT ordinal, type, timestamp, name FROM session_entries
                        WHERE session_id = ? AND ordinal > ? ORDER BY ordinal LIMIT ?
                        """, arguments: [id, after, limit]
                ).map { row throws(CorruptRow) in
                    let stored = StoredRow(row: row)
                    let name = try stored.optionalText(3, "name")
                    let entry = SessionEntry(
                        stored: try stored.text(1, "type"), sessionId: id,
                        timestamp: try stored.integer(2, "timestamp", in: StoredRow.nonNegative), name: name)
                    return (ordinal: Int(try stored.integer(0, "ordinal", in: StoredRow.nonNegative)), entry: entry)
                }
            }
        }
    }

    package func sessionTree(id: String) async throws -> [UInt8]? {
        try await perform("reading the tree of session \(id)") {
            try await pool.read { db in
                try String.fetchOne(db, sql: "SELECT tree FROM sessions WHERE session_id = ?", arguments: [id]).map { Array($0.utf8) }
            }
        }
    }

    package func listSessions(status: SessionHeader.Status?, limit: Int, now: Timestamp, abandonAfter: Duration) async throws
        -> [SessionHeader]
    {
        let cutoff = now.millisecondsSinceEpoch - abandonAfter.milliseconds
        let filter = SharedSQL.sessionStatusCondition(status, cutoffMs: cutoff)
        return try await perform("listing sessions") {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(SharedSQL.sessionHeaderColumns) FROM sessions
                        WHERE \(filter) ORDER BY last_activity_ms DESC LIMIT ?
                        """, arguments: [limit]
                ).map { row throws(CorruptRow) in try Self.header(StoredRow(row: row)) }
            }
        }
    }

    private static func header(_ row: StoredRow) throws(CorruptRow) -> SessionHeader {
        SessionHeader(
            stored: try row.text(0, "session_id"), start: try row.optionalInteger(1, "start_ts", in: StoredRow.nonNegative),
            end: try row.optionalInteger(2, "end_ts", in: StoredRow.nonNegative),
            entries: Int(try row.integer(3, "entries", in: StoredRow.nonNegative)),
            lastSeq: try row.optionalInteger(4, "last_seq"),
            lastActivity: try row.integer(5, "last_activity_ms", in: StoredRow.timeRange))
    }
}
