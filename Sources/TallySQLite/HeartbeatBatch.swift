import GRDB

/// The `heartbeat_batches` row of one commit: the range of `heartbeats` ids it wrote and the newest event time
/// among them. A replay from an event time reads only the ranges whose newest time reaches it, by id (the table's
/// own order), instead of an index on event time that every heartbeat would have to be inserted into.
struct HeartbeatBatch {
    private(set) var firstId: Int64?
    private(set) var lastId: Int64 = 0
    private(set) var maxTimeMs = Int64.min

    mutating func add(id: Int64, timeMs: Int64) {
        if firstId == nil { firstId = id }
        lastId = id
        maxTimeMs = max(maxTimeMs, timeMs)
    }

    /// Writes the row in the caller's transaction; nothing when the commit had no heartbeats.
    func write(in db: Database) throws {
        guard let firstId else { return }
        try db.execute(
            sql: "INSERT INTO heartbeat_batches (first_id, last_id, max_time_ms) VALUES (?, ?, ?)",
            arguments: [firstId, lastId, maxTimeMs])
    }

    /// The id ranges holding every heartbeat with an event time at or after `fromMs`, in id order, adjacent
    /// ranges joined. The ids after the last commit's are included: rows another tool appended are replayed too.
    static func ranges(reaching fromMs: Int64, in db: Database) throws -> [ClosedRange<Int64>] {
        let lastCommitted = try Int64.fetchOne(
            db, sql: "SELECT max(last_id) FROM heartbeat_batches WHERE typeof(last_id) = 'integer'")
        var ranges = try committedRanges(reaching: fromMs, in: db)
        let (tail, overflow) = (lastCommitted ?? 0).addingReportingOverflow(1)
        if !overflow { ranges.append(tail...Int64.max) }
        return ranges
    }

    /// Rows that are not two ordered integers (written by another tool) are skipped, never trusted.
    private static func committedRanges(reaching fromMs: Int64, in db: Database) throws -> [ClosedRange<Int64>] {
        let rows = try Row.fetchCursor(
            db, sql: "SELECT first_id, last_id FROM heartbeat_batches WHERE max_time_ms >= ? ORDER BY first_id", arguments: [fromMs])
        var ranges: [ClosedRange<Int64>] = []
        while let row = try rows.next() {
            guard let first = Int64.fromDatabaseValue(row[0]), let last = Int64.fromDatabaseValue(row[1]), first <= last else { continue }
            let (next, overflow) = ranges.last?.upperBound.addingReportingOverflow(1) ?? (0, false)
            if let previous = ranges.last, overflow || next >= first {
                ranges[ranges.count - 1] = previous.lowerBound...max(previous.upperBound, last)
            } else {
                ranges.append(first...last)
            }
        }
        return ranges
    }
}
