import Foundation
import GRDB
import TallyCore
import TallyPipeline

/// Derived state behind the log. A commit writes its raw events and one `derived_journal` row holding the
/// playback states and resume arrays it produced; the backlog keeps them in memory and reads lay it over the tables.
/// About once a second the backlog's active layer is frozen and written to `playback_state`, `content_totals` and
/// `resume_windows` a chunk per commit; once all of it is there, the journal rows it came from are deleted. A row
/// changed by a hundred commits in that second is written once. After a crash the store applies the journal when it
/// opens, so every table again matches the committed log.
extension SQLiteEventStore {
    /// When the backlog is written to its tables.
    package struct WriteBehind: Sendable {
        /// The longest derived state waits before it starts on its way to the tables while commits come; `.zero`
        /// writes every commit's derived state through.
        package var interval: Duration = .seconds(1)
        /// Rows of the frozen layer each commit writes: a second's rows spread over a dozen commits instead of
        /// holding one of them for the whole write.
        package var chunkRows = 2_000
        /// Active rows at which everything is written at once, whatever their age: bounds the memory and the
        /// journal when chunks cannot keep up.
        package var flushRows = 100_000
        /// While writing fails, commits go on journaling up to this many backlog rows, then fail with the error: a
        /// table that refuses writes must show on `/health`, not grow the memory without bound.
        package var maxBacklogRows = 1_000_000

        /// The defaults: a second, 2,000, 100,000 and 1,000,000 rows.
        package init(interval: Duration = .seconds(1), chunkRows: Int = 2_000, flushRows: Int = 100_000, maxBacklogRows: Int = 1_000_000) {
            self.interval = interval
            self.chunkRows = max(1, chunkRows)
            self.flushRows = flushRows
            self.maxBacklogRows = maxBacklogRows
        }
    }

    /// What a commit did to the backlog, applied once its transaction committed, in this order.
    struct BacklogChange {
        /// Everything reached the tables.
        var wroteAll = false
        /// The active layer was frozen to be written.
        var froze: DerivedBacklog.Flushing?
        /// The flushing layer's progress after this commit's chunk.
        var progress: DerivedBacklog.Flushing?
        /// The commit's own state, for the active layer.
        var journaled: (states: [PlaybackKey: PlaybackState], totals: [String: ContentTotals], records: [ResumeRecord])?
    }

    /// A batch's journal row and totals change, worked out while the previous batch commits.
    struct StagedDerived: Sendable {
        var journal: Data
        var totals: [String: ContentTotals]

        init(states: [PlaybackKey: PlaybackState], previous: [PlaybackKey: PlaybackState], records: [ResumeRecord]) {
            journal = Data(DerivedJournalEntry.encode(states: states, records: records))
            totals = DerivedLayer.totalsChange(states: states, previous: previous)
        }
    }

    /// Encodes the journal row and groups the totals change of a batch planned from known states.
    package func stage(_ batch: CommitBatch) -> CommitBatch {
        guard let previous = batch.previous, !batch.states.isEmpty || !batch.resumeWindows.isEmpty else { return batch }
        var staged = batch
        staged.staged = StagedDerived(states: batch.states, previous: previous, records: batch.resumeWindows)
        return staged
    }

    /// Writes a commit's derived state in the caller's transaction: its journal row, and, when there is one, a
    /// chunk of the flushing layer (freezing the active layer first when it is a second old). Everything is written
    /// at once instead when the commit has no `previous` states (the backlog could not move the totals), when
    /// writing behind is off, or when the active layer outgrew `flushRows`.
    func writeDerived(
        states: [PlaybackKey: PlaybackState], previous: [PlaybackKey: PlaybackState]?, records: [ResumeRecord],
        staged: StagedDerived? = nil, in db: Database
    ) throws -> BacklogChange {
        guard !states.isEmpty || !records.isEmpty else { return BacklogChange() }
        let now = ContinuousClock.now
        let (backlogNow, mayWrite) = backlog.withLock { ($0, $0.retryAfter.map { now >= $0 } ?? true) }
        let throughNow = writeBehind.interval == .zero || backlogNow.active.rowCount >= writeBehind.flushRows
        guard let previous else {
            return try writeAll(backlogNow, thenThrough: states, previous: nil, records: records, in: db)
        }
        if throughNow, mayWrite {
            do {
                return try writeAll(backlogNow, thenThrough: states, previous: previous, records: records, in: db)
            } catch {
                try journalOn(after: error, backlogNow, now: now, in: db)
            }
        }
        if !mayWrite || throughNow, backlogNow.rowCount >= writeBehind.maxBacklogRows {
            throw StoreError(
                operation: "writing derived state", reason: "\(backlogNow.rowCount) rows wait for their tables after failed writes")
        }
        var change = BacklogChange()
        var flushing = backlogNow.flushing
        if !throughNow, flushing == nil, mayWrite, let oldest = backlogNow.oldest, now - oldest >= writeBehind.interval {
            let through = try Int64.fetchOne(db, sql: "SELECT max(id) FROM derived_journal") ?? 0
            flushing = DerivedBacklog.Flushing(backlogNow.active, journalThrough: through)
            change.froze = flushing
        }
        let staged = staged ?? StagedDerived(states: states, previous: previous, records: records)
        try db.cachedStatement(sql: "INSERT INTO derived_journal (payload) VALUES (?)").execute(arguments: [staged.journal])
        change.journaled = (states, staged.totals, records)
        if !throughNow, mayWrite, var layer = flushing {
            do {
                try db.inSavepoint {
                    try writeChunk(of: &layer, in: db)
                    return .commit
                }
                change.progress = layer
            } catch {
                try journalOn(after: error, backlogNow, now: now, in: db)
            }
        }
        return change
    }

    /// After writing to the tables failed (rolled back to its savepoint): logs it and lets commits journal on,
    /// retrying a while later; rethrows when SQLite rolled the whole transaction back (it does on some errors, such as
    /// a full disk), or when the backlog is at its bound.
    private func journalOn(after error: any Error, _ pending: DerivedBacklog, now: ContinuousClock.Instant, in db: Database) throws {
        guard db.isInsideTransaction, pending.rowCount < writeBehind.maxBacklogRows else { throw error }
        logger.error(
            "writing derived state to its tables failed; journaling on and retrying",
            metadata: ["backlog_rows": "\(pending.rowCount)", "error": "\(error)"])
        backlog.withLock { $0.retryAfter = now + writeBehind.interval }
    }

    /// Writes the next chunk of `layer` (with the layer's totals change, the first time), and, when that was the
    /// last, deletes the journal rows the layer came from.
    private func writeChunk(of layer: inout DerivedBacklog.Flushing, in db: Database) throws {
        if !layer.totalsWritten {
            try Self.applyTotals(layer.layer.totals, in: db)
            layer.totalsWritten = true
        }
        let chunk = layer.chunk(writeBehind.chunkRows)
        try Self.upsertPlaybackStates(chunk.states, in: db)
        try Self.writeResumeWindows(Array(chunk.records), in: db)
        layer.wrote(chunk)
        if layer.remaining == 0 {
            try db.execute(sql: "DELETE FROM derived_journal WHERE id <= ?", arguments: [layer.journalThrough])
        }
    }

    /// Writes all of `pending` and then the commit's own state to the tables, and empties the journal.
    private func writeAll(
        _ pending: DerivedBacklog, thenThrough states: [PlaybackKey: PlaybackState], previous: [PlaybackKey: PlaybackState]?,
        records: [ResumeRecord], in db: Database
    ) throws -> BacklogChange {
        try db.inSavepoint {
            try applyBacklog(pending, in: db)
            try Self.writePlaybackStates(states, previous: previous, in: db)
            try Self.writeResumeWindows(records, in: db)
            return .commit
        }
        return BacklogChange(wroteAll: true)
    }

    /// Puts a committed change into the backlog; called on the writer connection right after the commit.
    func install(_ change: BacklogChange) {
        backlog.withLock { backlog in
            if change.wroteAll { backlog.removeAll() }
            if let frozen = change.froze { backlog.freeze(frozen) }
            if let progress = change.progress { backlog.advance(to: progress) }
            if let (states, totals, records) = change.journaled {
                backlog.add(states: states, totals: totals, records: records, at: .now)
            }
        }
    }

    /// Writes all of `pending` (the rest of the flushing layer, then the active one) to the tables and empties the
    /// journal, in the caller's transaction on the writer connection (so no commit changes the backlog meanwhile).
    private func applyBacklog(_ pending: DerivedBacklog, in db: Database) throws {
        guard !pending.isEmpty else { return }
        if let flushing = pending.flushing {
            if !flushing.totalsWritten { try Self.applyTotals(flushing.layer.totals, in: db) }
            let rest = flushing.chunk(.max)
            try Self.upsertPlaybackStates(rest.states, in: db)
            try Self.writeResumeWindows(Array(rest.records), in: db)
        }
        try Self.upsertPlaybackStates(pending.active.states, in: db)
        try Self.applyTotals(pending.active.totals, in: db)
        try Self.writeResumeWindows(pending.active.records, in: db)
        try db.execute(sql: "DELETE FROM derived_journal")
    }

    /// Writes the backlog to its tables now: before a read that scans a table, before pruning, and on close.
    func flushDerived() async throws {
        guard !backlog.withLock({ $0.isEmpty }) else { return }
        try await perform("writing derived state to its tables") {
            try await pool.writeWithoutTransaction { db in
                let pending = backlog.withLock { $0 }
                try db.inTransaction {
                    try applyBacklog(pending, in: db)
                    return .commit
                }
                backlog.withLock { $0.removeAll() }
            }
        }
    }

    /// `read`'s answer from the tables with `take`'s part of the backlog laid over it by `merge`. Consistent when
    /// no flush ran between taking the part and reading (the tables could then hold newer rows than the part);
    /// otherwise it tries again, and after a few tries flushes and answers from the tables alone.
    func overlaid<Part: Sendable, Answer>(
        _ take: (DerivedBacklog) -> Part, read: () async throws -> Answer, merge: (Answer, Part) -> Answer
    ) async throws -> Answer {
        for _ in 0..<3 {
            let (generation, part) = backlog.withLock { ($0.generation, take($0)) }
            let stored = try await read()
            if backlog.withLock({ $0.generation }) == generation { return merge(stored, part) }
        }
        try await flushDerived()
        return try await read()
    }

    /// Applies the journal a crash left (commits whose derived state never reached the tables) at open, in one
    /// transaction; returns how many rows it applied. A row that cannot be read is quarantined and skipped.
    static func applyJournal(in db: Database, now: Timestamp) throws -> Int {
        var states: [PlaybackKey: PlaybackState] = [:]
        var records: [ResumeRecord] = []
        var corrupt: [QuarantineCandidate] = []
        var applied = 0
        let rows = try Row.fetchCursor(db, sql: "SELECT id, payload FROM derived_journal ORDER BY id")
        while let row = try rows.next() {
            let id: Int64 = row[0]
            do {
                guard let payload = Data.fromDatabaseValue(row[1]) else {
                    throw ByteReader.Failure(description: "the payload is not a blob")
                }
                let entry = try DerivedJournalEntry.decode(Array(payload))
                for (key, state) in entry.states { states[key] = state }
                records += entry.records
                applied += 1
            } catch {
                corrupt.append(
                    QuarantineCandidate(
                        source: "derived_journal", key: "\(id)", row: (row[1] as DatabaseValue).description.prefix(200).description,
                        reason: "\(error)", delete: nil))
            }
        }
        guard applied > 0 || !corrupt.isEmpty else { return 0 }
        // The totals are summed again from the rows: a layer half written when the process stopped had moved them
        // for rows it had not written yet.
        try upsertPlaybackStates(states, in: db)
        try db.execute(sql: "DELETE FROM content_totals")
        try fillContentTotals(in: db)
        try writeResumeWindows(ResumeRecord.latestPerWindow(records), in: db)
        try quarantine(corrupt, in: db, now: now)
        try db.execute(sql: "DELETE FROM derived_journal")
        return applied
    }
}
