import GRDB
import TallyCore
import TallyPipeline

/// A `content_totals` row: viewers as an integer, the 128-bit sums as decimal text (SQLite integers are 64-bit and
/// its arithmetic overflows into floating point).
extension ContentTotals {
    /// Nil for a row another tool wrote badly.
    init?(stored row: Row) {
        let stored = StoredRow(row: row)
        guard let viewers = try? stored.integer(0, "viewers", in: StoredRow.nonNegative),
            let watch = (try? stored.text(1, "watch_ms")).flatMap({ Int128($0) }),
            let events = (try? stored.text(2, "events")).flatMap({ Int128($0) })
        else { return nil }
        self.init(exactWatchMilliseconds: watch, viewers: Int(viewers), exactEvents: events)
    }
}

extension SQLiteEventStore {
    /// Upserts `states` and moves their titles' totals by the difference from the rows they replace, in the
    /// caller's transaction. `previous` (the states the writer planned from, exact on SQLite's single writer) spares
    /// reading each replaced row; without it the rows are read.
    static func writePlaybackStates(
        _ states: [PlaybackKey: PlaybackState], previous: [PlaybackKey: PlaybackState]? = nil, in db: Database
    ) throws {
        guard !states.isEmpty else { return }
        let stored = try db.cachedStatement(sql: "SELECT watch_ms, events FROM playback_state WHERE user_id = ? AND content_id = ?")
        var deltas: [String: ContentTotals] = [:]
        var recount: Set<String> = []
        for (key, s) in states {
            if let known = previous {
                let old = known[key].map { ($0.watchMilliseconds, $0.events) }
                deltas[key.content, default: ContentTotals()].replace(old: old, with: s)
            } else if let row = try Row.fetchOne(stored, arguments: [key.user, key.content]) {
                let stored = StoredRow(row: row)
                if let watch = try? stored.integer(0, "watch_ms", in: StoredRow.nonNegative),
                    let events = try? stored.integer(1, "events", in: StoredRow.nonNegative)
                {
                    deltas[key.content, default: ContentTotals()].replace(old: (watch, events), with: s)
                } else {
                    // The writer quarantines unusable rows before it plans: this one changed behind its back.
                    recount.insert(key.content)
                }
            } else {
                deltas[key.content, default: ContentTotals()].replace(old: nil, with: s)
            }
        }
        try upsertPlaybackStates(states, in: db)
        try applyTotals(deltas, recounting: recount, in: db)
    }

    /// Upserts `states` in the caller's transaction, leaving the totals to the caller.
    static func upsertPlaybackStates(_ states: some Collection<(key: PlaybackKey, value: PlaybackState)>, in db: Database) throws {
        guard !states.isEmpty else { return }
        var upsert = PreparedInsert(
            try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO playback_state
                        (\(StoredTables.playbackState.columnList))
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """))
        for (key, s) in states {
            upsert.bind(key.user)
            upsert.bind(key.content)
            upsert.bind(s.position)
            upsert.bind(s.latestAt.millisecondsSinceEpoch)
            upsert.bind(s.lastSeenAt.millisecondsSinceEpoch)
            upsert.bind(s.maxPosition)
            upsert.bind(s.duration)
            upsert.bind(s.watchMilliseconds)
            upsert.bind(s.events)
            try upsert.step()
        }
    }

    /// Moves each title's `content_totals` row by its delta; titles in `recount`, and titles whose row cannot be
    /// read, are summed again from their states instead.
    static func applyTotals(_ deltas: [String: ContentTotals], recounting recount: Set<String> = [], in db: Database) throws {
        var recount = recount
        let current = try db.cachedStatement(sql: "SELECT viewers, watch_ms, events FROM content_totals WHERE content_id = ?")
        for (content, delta) in deltas where !recount.contains(content) {
            guard let row = try Row.fetchOne(current, arguments: [content]) else {
                try save(delta, content: content, in: db)
                continue
            }
            guard var totals = ContentTotals(stored: row) else {
                recount.insert(content)
                continue
            }
            totals.add(delta)
            try save(totals, content: content, in: db)
        }
        for content in recount { try recountTotals(content: content, in: db) }
    }

    private static func save(_ totals: ContentTotals, content: String, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO content_totals (content_id, viewers, watch_ms, events) VALUES (?, ?, ?, ?)")
            .execute(arguments: [content, totals.viewers, String(totals.exactWatchMilliseconds), String(totals.exactEvents)])
    }

    /// The title's totals summed from its usable states (the truth the table is kept from).
    static func sumTotals(content: String, in db: Database) throws -> ContentTotals? {
        let totals = try sum(content: content, in: db)
        return totals.viewers > 0 ? totals : nil
    }

    private static func sum(content: String, in db: Database) throws -> ContentTotals {
        var totals = ContentTotals()
        var ignored: [QuarantineCandidate] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT \(playbackColumns) FROM playback_state WHERE content_id = ?", arguments: [content])
        while let row = try rows.next() {
            if let (_, state) = decodePlayback(row, corrupt: &ignored) { totals.replace(old: nil, with: state) }
        }
        return totals
    }

    /// Rewrites the title's totals from its usable states.
    static func recountTotals(content: String, in db: Database) throws {
        let totals = try sum(content: content, in: db)
        if totals.viewers == 0 {
            try db.execute(sql: "DELETE FROM content_totals WHERE content_id = ?", arguments: [content])
        } else {
            try save(totals, content: content, in: db)
        }
    }

    /// Fills `content_totals` from the stored states (the v7 migration), one title at a time in memory.
    static func fillContentTotals(in db: Database) throws {
        var totals: [String: ContentTotals] = [:]
        var ignored: [QuarantineCandidate] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT \(playbackColumns) FROM playback_state")
        while let row = try rows.next() {
            if let (key, state) = decodePlayback(row, corrupt: &ignored) {
                totals[key.content, default: ContentTotals()].replace(old: nil, with: state)
            }
        }
        for (content, row) in totals { try save(row, content: content, in: db) }
    }
}
