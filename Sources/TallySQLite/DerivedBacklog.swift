import TallyCore
import TallyPipeline

/// Derived state that is committed (its journal rows are in the store) but not yet in its tables: each key's
/// newest playback state, each content's totals change, each window's newest array. Reads lay it over the
/// tables; a flush writes it to them once, however many commits changed a row in between.
///
/// Only the writer connection changes it, after the transaction that journaled or flushed it committed, so it
/// always equals the journal's rows.
struct DerivedBacklog {
    /// Each key's newest state.
    private(set) var states: [PlaybackKey: PlaybackState] = [:]
    /// Each content's totals change since the tables were written, from the planner's previous states.
    private(set) var totals: [String: ContentTotals] = [:]
    /// The contents of `states` by user, for a user's continue-watching row.
    private var contentsByUser: [String: Set<String>] = [:]
    /// Each window's newest array, by user and window start (milliseconds).
    private(set) var windows: [String: [Int64: ResumeRecord]] = [:]
    private var windowCount = 0
    /// When the oldest unflushed change was committed.
    private(set) var oldest: ContinuousClock.Instant?
    /// Moves on every flush: a read that laid the backlog over the tables is consistent only if no flush ran in
    /// between (the flushed rows could be newer than what it took from the backlog).
    private(set) var generation: UInt64 = 0
    /// After a flush failed, when the next may be tried: commits journal until then.
    var retryAfter: ContinuousClock.Instant?

    /// Rows a flush would write.
    var rowCount: Int { states.count + windowCount }

    /// True when a flush has nothing to write.
    var isEmpty: Bool { rowCount == 0 }

    /// Adds one commit's derived state: its states, its totals change (`totalsChange`), its arrays.
    mutating func add(
        states newStates: [PlaybackKey: PlaybackState], totals change: [String: ContentTotals], records: [ResumeRecord],
        at now: ContinuousClock.Instant
    ) {
        for (key, state) in newStates where states.updateValue(state, forKey: key) == nil {
            contentsByUser[key.user, default: []].insert(key.content)
        }
        for (content, delta) in change { totals[content, default: ContentTotals()].add(delta) }
        for record in records {
            windowCount += windows[record.userId, default: [:]].keep(record)
        }
        if oldest == nil, !isEmpty { oldest = now }
    }

    /// How `states` move their contents' totals from `previous`, the states they were planned from (a key absent:
    /// new): exactly as writing them to the tables would.
    static func totalsChange(
        states: [PlaybackKey: PlaybackState], previous: [PlaybackKey: PlaybackState]
    ) -> [String: ContentTotals] {
        var change: [String: ContentTotals] = [:]
        for (key, state) in states {
            change[key.content, default: ContentTotals()].replace(old: previous[key].map { ($0.watchMilliseconds, $0.events) }, with: state)
        }
        return change
    }

    /// Forgets everything: a flush wrote it.
    mutating func removeAll() {
        self = DerivedBacklog(generation: generation &+ 1)
    }

    private init(generation: UInt64) {
        self.generation = generation
    }

    init() {}

    /// Every array, for a flush.
    var records: [ResumeRecord] { windows.values.flatMap(\.values) }

    /// The user's states, for laying over the stored ones.
    func states(user: String) -> [(content: String, state: PlaybackState)] {
        (contentsByUser[user] ?? []).compactMap { content in
            states[PlaybackKey(user: user, content: content)].map { (content, $0) }
        }
    }

    /// The user's latest window, for laying over the stored one.
    func latestWindow(user: String) -> ResumeRecord? {
        windows[user]?.max { $0.key < $1.key }?.value
    }
}

extension [Int64: ResumeRecord] {
    /// Keeps `record` unless a later revision of its window is held; returns 1 when the window is new here.
    fileprivate mutating func keep(_ record: ResumeRecord) -> Int {
        let start = record.window.start.millisecondsSinceEpoch
        guard let held = self[start] else {
            self[start] = record
            return 1
        }
        if held.revision <= record.revision { self[start] = record }
        return 0
    }
}
