/// The playback processor: a pure function from (state, event) to state.
///
/// It has no clock and no I/O; the caller supplies each event's arrival time. The same events in the same order give
/// the same state, which is what lets the writer apply a batch to a staging copy, commit it, and only then publish.
public struct PlaybackProcessor: Sendable {
    /// How events turn into watch time and completion.
    public var rules: PlaybackRules

    /// A processor applying `rules`; every writer of one store must use the same ones.
    public init(rules: PlaybackRules = PlaybackRules()) {
        self.rules = rules
    }

    /// Applies one event to the state of its key (`nil` when the key was never seen).
    public func apply(_ received: ReceivedEvent, to state: PlaybackState?) -> PlaybackState {
        switch received.event {
        case .heartbeat(let heartbeat):
            return apply(heartbeat, receivedAt: received.receivedAt, to: state)
        case .watch(let watch):
            return apply(watch, receivedAt: received.receivedAt, to: state)
        }
    }

    /// Heartbeats: watch time is `min(Δposition, Δtimestamp)` between a heartbeat and the latest earlier one, when
    /// the player moved forward and the gap is within `maxGapSeconds`. A heartbeat older than the latest (out of
    /// order) or a duplicate adds nothing and leaves "latest" alone; the interval it falls into was already counted
    /// by the pair around it.
    private func apply(_ h: Heartbeat, receivedAt: Timestamp, to state: PlaybackState?) -> PlaybackState {
        guard var s = state else {
            return PlaybackState(
                position: h.position, latestAt: h.timestamp, lastSeenAt: receivedAt, maxPosition: h.position,
                duration: h.duration, watchMilliseconds: 0, events: 1)
        }
        s.events += 1
        s.lastSeenAt = max(s.lastSeenAt, receivedAt)
        s.maxPosition = max(s.maxPosition, h.position)
        if h.timestamp >= s.latestAt {
            let elapsed = Self.difference(h.timestamp.millisecondsSinceEpoch, s.latestAt.millisecondsSinceEpoch, scale: 1)
            let progressed = Self.difference(h.position, s.position, scale: 1000)
            if let progressed, let elapsed, progressed > 0, elapsed <= rules.maxGapSeconds.multipliedClamped(by: 1000) {
                s.watchMilliseconds = Self.saturatingAdd(s.watchMilliseconds, min(progressed, elapsed))
            }
            s.position = h.position
            s.latestAt = h.timestamp
            s.duration = h.duration
        } else if s.duration == nil {
            s.duration = h.duration
        }
        return s
    }

    /// Watch events carry no clock, so "latest" is the latest arrival. In `.increment` mode `at` is added; in
    /// `.position` mode the forward step from the previous `at` is added when it is at most `maxGapSeconds`
    /// (a rewind, a duplicate or a longer jump — a seek — adds nothing).
    private func apply(_ w: WatchEvent, receivedAt: Timestamp, to state: PlaybackState?) -> PlaybackState {
        var s =
            state
            ?? PlaybackState(
                position: w.at, latestAt: receivedAt, lastSeenAt: receivedAt, maxPosition: w.at,
                duration: nil, watchMilliseconds: 0, events: 0)
        let previous = state?.position
        s.events += 1
        switch rules.watchAt {
        case .increment:
            s.watchMilliseconds = Self.saturatingAdd(s.watchMilliseconds, w.at.multipliedClamped(by: 1000))
        case .position:
            if let previous, let step = Self.difference(w.at, previous, scale: 1), step > 0, step <= rules.maxGapSeconds {
                s.watchMilliseconds = Self.saturatingAdd(s.watchMilliseconds, step.multipliedClamped(by: 1000))
            }
        }
        s.position = w.at
        s.maxPosition = max(s.maxPosition, w.at)
        s.latestAt = max(s.latestAt, receivedAt)
        s.lastSeenAt = max(s.lastSeenAt, receivedAt)
        return s
    }

    /// Watch time stops at `Int64.max` ms (292 million years) instead of trapping: only a hostile client gets
    /// there, and it must cost that client's own key, never the process.
    private static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b < 0 ? .min : .max) : sum
    }

    /// `(a - b) * scale`, or nil when it does not fit: inputs are bounded, but states read back from a store
    /// someone else can write must not be able to trap the processor either.
    private static func difference(_ a: Int64, _ b: Int64, scale: Int64) -> Int64? {
        let (delta, overflow) = a.subtractingReportingOverflow(b)
        guard !overflow else { return nil }
        let (scaled, overflowScaled) = delta.multipliedReportingOverflow(by: scale)
        return overflowScaled ? nil : scaled
    }

    /// Applies events in order to the states they touch, reading untouched states through `current`.
    /// Returns only the changed keys' new states; nothing is mutated, so a failed commit leaves no trace.
    public func plan(
        _ events: [ReceivedEvent], current: (PlaybackKey) -> PlaybackState?
    ) -> [PlaybackKey: PlaybackState] {
        var changed: [PlaybackKey: PlaybackState] = [:]
        changed.reserveCapacity(events.count)
        for received in events {
            let key = received.key
            let index = changed.index(forKey: key)
            let previous = index.map { changed.values[$0] } ?? current(key)
            let next = apply(received, to: previous)
            if let index { changed.values[index] = next } else { changed[key] = next }
        }
        return changed
    }
}

extension Int64 {
    /// `self * factor`, clamped to the representable range.
    func multipliedClamped(by factor: Int64) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: factor)
        guard overflow else { return product }
        return (self < 0) != (factor < 0) ? .min : .max
    }
}
