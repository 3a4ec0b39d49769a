/// The in-memory read model of playback: every key's state plus per-content and per-user indexes, maintained
/// incrementally so every query is a dictionary lookup (or a walk over one user's titles), never a scan.
public struct PlaybackIndex: Sendable {
    /// Totals for one piece of content.
    public struct ContentTotals: Hashable, Sendable {
        public var watchMilliseconds: Int64 = 0
        public var viewers: Int = 0
        public var events: Int64 = 0

        public init(watchMilliseconds: Int64 = 0, viewers: Int = 0, events: Int64 = 0) {
            self.watchMilliseconds = watchMilliseconds
            self.viewers = viewers
            self.events = events
        }
    }

    public private(set) var states: [PlaybackKey: PlaybackState] = [:]
    private var contents: [String: ContentTotals] = [:]
    private var titlesByUser: [String: [String]] = [:]

    public init() {}

    public var count: Int { states.count }

    public func state(_ key: PlaybackKey) -> PlaybackState? { states[key] }

    public func totals(content: String) -> ContentTotals? { contents[content] }

    /// Content ids the user has any state for, in first-seen order.
    public func titles(user: String) -> [String]? { titlesByUser[user] }

    /// Replaces the state of `key`, adjusting the aggregates by the difference.
    public mutating func install(_ state: PlaybackState, for key: PlaybackKey) {
        let old = states.updateValue(state, forKey: key)
        contents[key.content, default: ContentTotals()].apply(old: old, new: state)
        if old == nil { titlesByUser[key.user, default: []].append(key.content) }
    }

    public mutating func install(_ changes: [PlaybackKey: PlaybackState]) {
        for (key, state) in changes { install(state, for: key) }
    }
}

extension PlaybackIndex.ContentTotals {
    fileprivate mutating func apply(old: PlaybackState?, new: PlaybackState) {
        if old == nil { viewers += 1 }
        watchMilliseconds += new.watchMilliseconds - (old?.watchMilliseconds ?? 0)
        events += new.events - (old?.events ?? 0)
    }
}
