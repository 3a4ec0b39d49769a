import TallyCore

/// Everything one group commit writes, in one transaction: the raw events, the playback states they changed, the
/// resume arrays they completed or corrected, the session messages, and the ad events with their counters.
public struct CommitBatch: Sendable {
    /// The raw events, stored as received.
    public var events: [ReceivedEvent]
    /// The new state of every playback key the events touched.
    public var states: [PlaybackKey: PlaybackState]
    /// The states `states` were planned from (a key absent: new), when the planner knows them. A store with one
    /// writer (SQLite) moves the content totals by these differences instead of reading every replaced row again;
    /// nil: the store reads them.
    public var previous: [PlaybackKey: PlaybackState]?
    /// The rules `states` were planned by. A store shared by several servers re-plans the batch from its committed
    /// states with these, so the rules live in one place (the writer's configuration), never in the store.
    public var rules: PlaybackRules
    /// The resume arrays the batch's heartbeats completed or corrected, one per user and window (the latest
    /// revision): in the same transaction, a committed heartbeat's array is never lost to a crash after the commit.
    public var resumeWindows: [ResumeRecord]
    /// Session messages accepted in this batch.
    public var sessions: [SessionCommit]
    /// Ad events; their hours' counters move in the same transaction.
    public var ads: [AdEvent]
    /// What the store's `stage` worked out ahead of the commit; only that store reads it.
    public var staged: (any Sendable)?

    /// A batch; the writer builds it, stores only write it.
    public init(
        events: [ReceivedEvent] = [], states: [PlaybackKey: PlaybackState] = [:], previous: [PlaybackKey: PlaybackState]? = nil,
        rules: PlaybackRules = PlaybackRules(), resumeWindows: [ResumeRecord] = [], sessions: [SessionCommit] = [],
        ads: [AdEvent] = []
    ) {
        self.events = events
        self.states = states
        self.previous = previous
        self.rules = rules
        self.resumeWindows = ResumeRecord.latestPerWindow(resumeWindows)
        self.sessions = sessions
        self.ads = ads
    }

    /// The ad events grouped by hour with each hour's clicks and impressions, hours in ascending order (writers
    /// on a shared backend lock counter rows in that order, so concurrent batches cannot deadlock).
    public var adCountsByHour: [(hour: AdHour, counts: AdHourCounts)] {
        var byHour: [AdHour: AdHourCounts] = [:]
        for ad in ads { byHour[ad.hour, default: .zero].count(ad.interaction) }
        return byHour.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
