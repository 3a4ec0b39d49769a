import GRDB
import TallyCore
import TallyPipeline

/// A stored row that could not be loaded, on its way to the quarantine table.
struct QuarantineCandidate {
    /// The table it came from.
    var source: String
    /// The row's primary key as text, so that a row is quarantined once however often a start meets it.
    var key: String
    var row: String
    var reason: String
    /// How to remove it from `source` (nil for the append-only event logs, which keep every row they got).
    var delete: (sql: String, arguments: StatementArguments)?
    /// For a playback state: its title, whose totals are recounted without it.
    var recount: String? = nil
}

extension StoredRow {
    /// `decode(row)`, or nil after recording the row in `corrupt`: set aside with its key (`keyColumns`), and, for
    /// state tables, removed by `deleteWhere` (a condition on the key columns, bound to the values read).
    static func decode<Value>(
        _ row: Row, source: String, keyColumns: Range<Int>, deleteWhere: String?,
        corrupt: inout [QuarantineCandidate], _ decode: (StoredRow) throws(CorruptRow) -> Value
    ) -> Value? {
        let stored = StoredRow(row: row)
        do throws(CorruptRow) {
            return try decode(stored)
        } catch {
            let key = keyColumns.map { row[$0] as DatabaseValue }
            corrupt.append(
                QuarantineCandidate(
                    source: source, key: stored.rendered(columns: keyColumns), row: stored.rendered, reason: error.description,
                    delete: deleteWhere.map { ("DELETE FROM \(source) WHERE \($0)", StatementArguments(key)) }))
            return nil
        }
    }
}

extension SQLiteEventStore {
    /// Copies unloadable rows to `quarantine` and removes state rows from their table, in one transaction: the
    /// server starts without them (a key whose state was quarantined starts afresh), an operator can inspect
    /// them, and `/health` reports how many there are.
    static func quarantine(_ candidates: [QuarantineCandidate], in db: Database, now: Timestamp) throws {
        let insert = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO quarantine (source, row_key, row, reason, quarantined_ms) VALUES (?, ?, ?, ?, ?)
                """)
        for candidate in candidates {
            try insert.execute(arguments: [
                candidate.source, candidate.key, candidate.row, candidate.reason, now.millisecondsSinceEpoch,
            ])
            if let delete = candidate.delete { try db.execute(sql: delete.sql, arguments: delete.arguments) }
        }
    }

    func quarantine(_ candidates: [QuarantineCandidate]) async throws {
        guard !candidates.isEmpty else { return }
        let now = Timestamp.wallClockNow
        try await pool.write { db in try Self.quarantine(candidates, in: db, now: now) }
    }

    package func quarantinedRows(limit: Int) async throws -> (count: Int, rows: [QuarantinedRow]) {
        try await perform("reading the quarantine") {
            try await pool.read { db in
                let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM quarantine") ?? 0
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT source, row_key, reason FROM quarantine ORDER BY id DESC LIMIT ?
                        """, arguments: [limit]
                ).map { row in
                    let stored = StoredRow(row: row)
                    return QuarantinedRow(
                        source: (try? stored.text(0, "source")) ?? "?", key: (try? stored.text(1, "row_key")) ?? "?",
                        reason: (try? stored.text(2, "reason")) ?? "?")
                }
                return (count, rows)
            }
        }
    }
}
