/// Everything Tally knows about one user in one piece of content, kept small so that millions fit in memory.
public struct PlaybackState: Hashable, Sendable {
    /// Position (seconds) of the latest event: by event time for heartbeats, by arrival for watch events.
    public var position: Int64
    /// Time of that latest event: its timestamp for heartbeats, its arrival for watch events.
    public var latestAt: Timestamp
    /// Arrival of the most recent event of any kind; orders continue-watching.
    public var lastSeenAt: Timestamp
    /// Furthest position ever reported.
    public var maxPosition: Int64
    /// Content length from the latest heartbeat, if any heartbeat was seen.
    public var duration: Int64?
    /// Watch time in milliseconds (heartbeat timestamps can carry fractions of a second).
    public var watchMilliseconds: Int64
    /// Events applied to this key.
    public var events: Int64

    /// A state as stored; new states come from `PlaybackProcessor`.
    public init(
        position: Int64, latestAt: Timestamp, lastSeenAt: Timestamp, maxPosition: Int64,
        duration: Int64?, watchMilliseconds: Int64, events: Int64
    ) {
        self.position = position
        self.latestAt = latestAt
        self.lastSeenAt = lastSeenAt
        self.maxPosition = maxPosition
        self.duration = duration
        self.watchMilliseconds = watchMilliseconds
        self.events = events
    }

    /// `maxPosition / duration`, capped at 1, when a duration is known.
    public var completion: Double? {
        guard let duration, duration > 0 else { return nil }
        return min(1, Double(maxPosition) / Double(duration))
    }

    /// Whether continue-watching should leave this title out, by `rules.finishedRatio`.
    public func isFinished(_ rules: PlaybackRules) -> Bool {
        (completion ?? 0) >= rules.finishedRatio
    }
}
