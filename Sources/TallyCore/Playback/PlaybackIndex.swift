/// The in-memory read model of playback: every key's state plus per-content and per-user indexes, maintained
/// incrementally so every query is a dictionary lookup (or a walk over one user's titles), never a scan.
public struct PlaybackIndex: Sendable {
    /// Totals for one piece of content.
    ///
    /// Sums over viewers are kept in 128 bits: each viewer's watch time may reach `Int64.max`, and the totals are
    /// updated by differences (new − old), which only stay exact when the sum cannot saturate. Answers clamp to
    /// `Int64.max`.
    public struct ContentTotals: Hashable, Sendable {
        public private(set) var exactWatchMilliseconds: Int128 = 0
        public var viewers: Int = 0
        private var exactEvents: Int128 = 0

        public var watchMilliseconds: Int64 { Int64(clamping: exactWatchMilliseconds) }
        public var events: Int64 { Int64(clamping: exactEvents) }

        public init(watchMilliseconds: Int64 = 0, viewers: Int = 0, events: Int64 = 0) {
            self.exactWatchMilliseconds = Int128(watchMilliseconds)
            self.viewers = viewers
            self.exactEvents = Int128(events)
        }

        fileprivate mutating func apply(old: PlaybackState?, new: PlaybackState) {
            if old == nil { viewers += 1 }
            exactWatchMilliseconds += Int128(new.watchMilliseconds) - Int128(old?.watchMilliseconds ?? 0)
            exactEvents += Int128(new.events) - Int128(old?.events ?? 0)
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
