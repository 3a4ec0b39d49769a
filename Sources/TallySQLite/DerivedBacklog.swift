import TallyCore
import TallyPipeline

/// Derived state that is committed (its journal rows are in the store) but not all in its tables yet, in two
/// layers: `active`, which commits add to, and `flushing`, an earlier active layer being written to the tables a
/// chunk per commit. Reads lay both over the tables, the active one on top. Writing a second's worth of rows in
/// chunks keeps any one commit from carrying them all.
///
/// Only the writer connection changes it, right after the transaction that journaled or wrote it committed, so it
/// always equals the journal's rows.
struct DerivedBacklog {
    /// A layer on its way to the tables, in key order: a chunk of neighbouring keys touches a few neighbouring pages,
    /// where keys in hash order would rewrite most pages of the table in every chunk. The layer's totals change is
    /// written with its first chunk (one row per title); a store that opens after a crash sums the totals again from
    /// the rows, so a half-written layer never leaves them wrong.
    struct Flushing {
        let layer: DerivedLayer
        let states: [(key: PlaybackKey, value: PlaybackState)]
        let records: [ResumeRecord]
        /// The last journal row whose state the layer holds: deleted with the journal rows before it once the
        /// layer is written.
        let journalThrough: Int64
        private(set) var writtenStates = 0
        private(set) var writtenRecords = 0
        /// Whether the layer's totals change is in `content_totals`.
        var totalsWritten = false

        init(_ layer: DerivedLayer, journalThrough: Int64) {
            self.layer = layer
            // SQLite orders text keys by their bytes.
            states = layer.states.sorted { a, b in
                a.key.user != b.key.user
                    ? a.key.user.utf8.lexicographicallyPrecedes(b.key.user.utf8)
                    : a.key.content.utf8.lexicographicallyPrecedes(b.key.content.utf8)
            }
            records = layer.records.sorted { a, b in
                a.userId != b.userId ? a.userId.utf8.lexicographicallyPrecedes(b.userId.utf8) : a.window.start < b.window.start
            }
            self.journalThrough = journalThrough
        }

        /// Rows still to write.
        var remaining: Int { states.count - writtenStates + records.count - writtenRecords }

        /// The next `rows` rows: states first, then arrays.
        func chunk(_ rows: Int) -> (states: ArraySlice<(key: PlaybackKey, value: PlaybackState)>, records: ArraySlice<ResumeRecord>) {
            let stateEnd = writtenStates + min(states.count - writtenStates, rows)
            let recordEnd = writtenRecords + min(records.count - writtenRecords, rows - (stateEnd - writtenStates))
            return (states[writtenStates..<stateEnd], records[writtenRecords..<recordEnd])
        }

        /// Records that `chunk` reached the tables.
        mutating func wrote(_ chunk: (states: ArraySlice<(key: PlaybackKey, value: PlaybackState)>, records: ArraySlice<ResumeRecord>)) {
            writtenStates = chunk.states.endIndex
            writtenRecords = chunk.records.endIndex
        }
    }

    /// What commits add to.
    private(set) var active = DerivedLayer()
    /// What is being written, if anything.
    private(set) var flushing: Flushing?
    /// When the oldest change of `active` was committed.
    private(set) var oldest: ContinuousClock.Instant?
    /// Moves whenever rows reach the tables: a read that laid the backlog over the tables is consistent only if no
    /// rows were written in between (they could be newer than what it took from the backlog).
    private(set) var generation: UInt64 = 0
    /// After writing failed, when it may be tried again: commits journal until then.
    var retryAfter: ContinuousClock.Instant?

    /// Rows still to write, in both layers.
    var rowCount: Int { active.rowCount + (flushing?.remaining ?? 0) }

    /// True when nothing is waiting for the tables.
    var isEmpty: Bool { active.rowCount == 0 && flushing == nil }

    /// Adds one commit's derived state to the active layer.
    mutating func add(
        states: [PlaybackKey: PlaybackState], totals: [String: ContentTotals], records: [ResumeRecord], at now: ContinuousClock.Instant
    ) {
        active.add(states: states, totals: totals, records: records)
        if oldest == nil, active.rowCount > 0 { oldest = now }
    }

    /// Makes `frozen` (the active layer as it was when the commit began writing it) the flushing layer, and starts a
    /// new active one.
    mutating func freeze(_ frozen: Flushing) {
        flushing = frozen
        active = DerivedLayer()
        oldest = nil
    }

    /// Records that a chunk of the flushing layer reached the tables; drops the layer once all of it did.
    mutating func advance(to progress: Flushing) {
        flushing = progress.remaining == 0 ? nil : progress
        generation &+= 1
    }

    /// Forgets everything: all of it reached the tables.
    mutating func removeAll() {
        self = DerivedBacklog(generation: generation &+ 1)
    }

    private init(generation: UInt64) {
        self.generation = generation
    }

    init() {}

    /// The key's newest state.
    func state(_ key: PlaybackKey) -> PlaybackState? {
        active.states[key] ?? flushing?.layer.states[key]
    }

    /// The user's newest states.
    func states(user: String) -> [(content: String, state: PlaybackState)] {
        let newer = active.states(user: user)
        guard let older = flushing?.layer.states(user: user), !older.isEmpty else { return newer }
        let replaced = Set(newer.map(\.content))
        return older.filter { !replaced.contains($0.content) } + newer
    }

    /// How far the content's totals are from its table row.
    func totals(_ content: String) -> ContentTotals? {
        var pending = active.totals[content]
        if let flushing, !flushing.totalsWritten, let older = flushing.layer.totals[content] {
            pending = pending ?? ContentTotals()
            pending?.add(older)
        }
        return pending
    }

    /// The window's newest array.
    func window(user: String, start: Int64) -> ResumeRecord? {
        ResumeRecord.latest(active.windows[user]?[start], flushing?.layer.windows[user]?[start])
    }

    /// The user's latest window.
    func latestWindow(user: String) -> ResumeRecord? {
        ResumeRecord.latest(active.latestWindow(user: user), flushing?.layer.latestWindow(user: user))
    }
}
