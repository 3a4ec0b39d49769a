import Foundation
import GRDB
import TallyCore
import TallyPipeline

/// Derived state behind the log. A commit writes its raw events and one `derived_journal` row holding the
/// playback states and resume arrays it produced; the backlog keeps them in memory, reads lay it over the tables,
/// and about once a second a commit writes the backlog to `playback_state`, `content_totals` and `resume_windows`
/// and empties the journal. A row changed by a hundred commits in that second is written once. After a crash the
/// store applies the journal when it opens, so every table again matches the committed log.
extension SQLiteEventStore {
    /// When the backlog is written to its tables.
    package struct WriteBehind: Sendable {
        /// The longest derived state waits for its tables while commits come; `.zero` writes every commit's
        /// derived state through.
        package var interval: Duration = .seconds(1)
        /// Backlog rows at which the next commit flushes whatever their age: bounds the memory and the journal.
        package var flushRows = 100_000
        /// While flushes fail, commits go on journaling up to this many backlog rows, then fail with the flush's
        /// error: a table that refuses writes must show on `/health`, not grow the memory without bound.
        package var maxBacklogRows = 1_000_000

        /// The defaults: a second, 100,000 rows, 1,000,000 rows.
        package init(interval: Duration = .seconds(1), flushRows: Int = 100_000, maxBacklogRows: Int = 1_000_000) {
            self.interval = interval
            self.flushRows = flushRows
            self.maxBacklogRows = maxBacklogRows
        }
    }

    /// What a commit did to the backlog, applied once its transaction committed.
    enum BacklogChange {
        case unchanged
        case journaled(states: [PlaybackKey: PlaybackState], totals: [String: ContentTotals], records: [ResumeRecord])
        case flushed
    }

    /// A batch's journal row and totals change, worked out while the previous batch commits.
    struct StagedDerived: Sendable {
        var journal: Data
        var totals: [String: ContentTotals]

        init(states: [PlaybackKey: PlaybackState], previous: [PlaybackKey: PlaybackState], records: [ResumeRecord]) {
            journal = Data(DerivedJournalEntry.encode(states: states, records: records))
            totals = DerivedBacklog.totalsChange(states: states, previous: previous)
        }
    }

    /// Encodes the journal row and groups the totals change of a batch planned from known states.
    package func stage(_ batch: CommitBatch) -> CommitBatch {
        guard let previous = batch.previous, !batch.states.isEmpty || !batch.resumeWindows.isEmpty else { return batch }
        var staged = batch
        staged.staged = StagedDerived(states: batch.states, previous: previous, records: batch.resumeWindows)
        return staged
    }

    /// Writes a commit's derived state in the caller's transaction: one journal row, or, when the backlog is due,
    /// the backlog and this state to their tables. Without `previous` (the states the commit was planned from) the
    /// state is written through: the backlog could not move the totals.
    func writeDerived(
        states: [PlaybackKey: PlaybackState], previous: [PlaybackKey: PlaybackState]?, records: [ResumeRecord],
        staged: StagedDerived? = nil, in db: Database
    ) throws -> BacklogChange {
        guard !states.isEmpty || !records.isEmpty else { return .unchanged }
        let now = ContinuousClock.now
        let (pending, due) = backlog.withLock { backlog in
            let old = backlog.oldest.map { now - $0 >= writeBehind.interval } ?? false
            let full = backlog.rowCount + states.count + records.count >= writeBehind.flushRows
            return (backlog.rowCount, (old || full) && backlog.retryAfter.map { now >= $0 } ?? true)
        }
        if let previous, !due, writeBehind.interval > .zero {
            return try journal(states: states, previous: previous, records: records, staged: staged, in: db)
        }
        do {
            try db.inSavepoint {
                try applyBacklog(in: db)
                try Self.writePlaybackStates(states, previous: previous, in: db)
                try Self.writeResumeWindows(records, in: db)
                return .commit
            }
            return .flushed
        } catch {
            // SQLite rolls a whole transaction back on some errors (a full disk): then the commit fails too.
            guard let previous, db.isInsideTransaction, pending < writeBehind.maxBacklogRows else { throw error }
            logger.error(
                "writing derived state to its tables failed; journaling on and retrying in a second",
                metadata: ["backlog_rows": "\(pending)", "error": "\(error)"])
            backlog.withLock { $0.retryAfter = now + writeBehind.interval }
            return try journal(states: states, previous: previous, records: records, staged: staged, in: db)
        }
    }

    /// Puts a committed change into the backlog; called on the writer connection right after the commit.
    func install(_ change: BacklogChange) {
        switch change {
        case .unchanged: break
        case .journaled(let states, let totals, let records):
            backlog.withLock { $0.add(states: states, totals: totals, records: records, at: .now) }
        case .flushed:
            backlog.withLock { $0.removeAll() }
        }
    }

    private func journal(
        states: [PlaybackKey: PlaybackState], previous: [PlaybackKey: PlaybackState], records: [ResumeRecord], staged: StagedDerived?,
        in db: Database
    ) throws -> BacklogChange {
        let staged = staged ?? StagedDerived(states: states, previous: previous, records: records)
        try db.cachedStatement(sql: "INSERT INTO derived_journal (payload) VALUES (?)").execute(arguments: [staged.journal])
        return .journaled(states: states, totals: staged.totals, records: records)
    }

    /// Writes the backlog to its tables and empties the journal, in the caller's transaction on the writer
    /// connection (so no commit changes the backlog meanwhile).
    private func applyBacklog(in db: Database) throws {
        let pending = backlog.withLock { $0 }
        guard !pending.isEmpty else { return }
        try Self.upsertPlaybackStates(pending.states, in: db)
        try Self.applyTotals(pending.totals, in: db)
        try Self.writeResumeWindows(pending.records, in: db)
        try db.execute(sql: "DELETE FROM derived_journal")
    }

    /// Writes the backlog to its tables now: before a read that scans a table, before pruning, and on close.
    func flushDerived() async throws {
        guard !backlog.withLock({ $0.isEmpty }) else { return }
        try await perform("writing derived state to its tables") {
            try await pool.writeWithoutTransaction { db in
                try db.inTransaction {
                    try applyBacklog(in: db)
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
        try writePlaybackStates(states, previous: nil, in: db)
        try writeResumeWindows(ResumeRecord.latestPerWindow(records), in: db)
        try quarantine(corrupt, in: db, now: now)
        try db.execute(sql: "DELETE FROM derived_journal")
        return applied
    }
}
