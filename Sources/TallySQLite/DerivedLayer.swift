import TallyCore
import TallyPipeline

/// One generation of the derived-state backlog: each key's newest state, each content's totals change, each
/// window's newest array, as commits left them. `DerivedBacklog` keeps the one commits add to and the one being
/// written to the tables.
struct DerivedLayer {
    /// Each key's newest state.
    private(set) var states: [PlaybackKey: PlaybackState] = [:]
    /// Each content's totals change since the layer began, from the planner's previous states.
    private(set) var totals: [String: ContentTotals] = [:]
    /// The contents of `states` by user, for a user's continue-watching row.
    private var contentsByUser: [String: Set<String>] = [:]
    /// Each window's newest array, by user and window start (milliseconds).
    private(set) var windows: [String: [Int64: ResumeRecord]] = [:]
    private var windowCount = 0

    /// Rows writing it would take.
    var rowCount: Int { states.count + windowCount }

    /// Adds one commit's derived state: its states, its totals change (`totalsChange`), its arrays.
    mutating func add(states newStates: [PlaybackKey: PlaybackState], totals change: [String: ContentTotals], records: [ResumeRecord]) {
        for (key, state) in newStates where states.updateValue(state, forKey: key) == nil {
            contentsByUser[key.user, default: []].insert(key.content)
        }
        for (content, delta) in change { totals[content, default: ContentTotals()].add(delta) }
        for record in records {
            windowCount += windows[record.userId, default: [:]].keep(record)
        }
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

    /// Every array.
    var records: [ResumeRecord] { windows.values.flatMap(\.values) }

    /// The user's states.
    func states(user: String) -> [(content: String, state: PlaybackState)] {
        (contentsByUser[user] ?? []).compactMap { content in
            states[PlaybackKey(user: user, content: content)].map { (content, $0) }
        }
    }

    /// The user's latest window.
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

extension ResumeRecord {
    /// The later of two arrays: the later window, then the higher revision; `preferred` on a tie. A layer laid over
    /// another, or the backlog over the table, passes its own array first (a caller may save an older revision after
    /// a newer one reached the table, which the table's upsert refuses).
    static func latest(_ preferred: ResumeRecord?, _ other: ResumeRecord?) -> ResumeRecord? {
        guard let preferred, let other else { return preferred ?? other }
        return (other.window.start, other.revision) > (preferred.window.start, preferred.revision) ? other : preferred
    }
}
