/// Either kind of playback input; both feed one processor keyed by (user, content).
public enum PlaybackEvent: Hashable, Sendable {
    /// A `POST /heartbeat` event.
    case heartbeat(Heartbeat)
    /// A `POST /events` watch event.
    case watch(WatchEvent)

    /// The (user, content) pair whose playback state the event changes.
    public var key: PlaybackKey {
        switch self {
        case .heartbeat(let h): return PlaybackKey(user: h.userId, content: h.movieId)
        case .watch(let w): return PlaybackKey(user: w.user, content: w.slug)
        }
    }

    /// The heartbeat, when the event is one (the resume windows take heartbeats only).
    public var heartbeat: Heartbeat? {
        if case .heartbeat(let heartbeat) = self { return heartbeat }
        return nil
    }

    /// Metric and storage label of the event kind.
    public var kind: EventKind {
        switch self {
        case .heartbeat: return .heartbeat
        case .watch: return .watch
        }
    }
}

/// Names of the ingested event kinds, as used in metrics labels and tables.
public enum EventKind: String, Sendable, CaseIterable {
    /// Heartbeats.
    case heartbeat
    /// Watch events.
    case watch
}

/// An event with the moment Tally accepted it (arrival time), which orders watch events that carry no clock.
public struct ReceivedEvent: Hashable, Sendable {
    /// What the client sent.
    public let event: PlaybackEvent
    /// When Tally accepted it.
    public var receivedAt: Timestamp
    /// `event.key`, made once where the event is decoded (on the connection's thread) instead of on every lookup
    /// by the single writer.
    public let key: PlaybackKey

    /// `event` as accepted at `receivedAt`.
    public init(_ event: PlaybackEvent, receivedAt: Timestamp) {
        self.event = event
        self.receivedAt = receivedAt
        self.key = event.key
    }
}
