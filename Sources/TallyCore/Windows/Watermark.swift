/// Event-time progress: "no event older than this is expected any more".
///
/// The watermark is the largest event time seen minus the allowed lateness. When the source goes idle for longer
/// than `idleTimeout`, it also moves forward by the wall-clock time that passed since the last event, so the last
/// windows of a stream close when traffic stops; a replay of old data is not affected while it keeps flowing. At
/// end of input it jumps to +∞ and every window closes.
public struct Watermark: Hashable, Sendable {
    public let lateness: Duration
    public let idleTimeout: Duration
    /// `lateness` in milliseconds, computed once: `Duration`'s arithmetic is 128-bit, too slow to repeat per event.
    private let latenessMs: Int64
    /// The current watermark; `nil` before the first event.
    public private(set) var current: Timestamp?
    public private(set) var maxEventTime: Timestamp?
    /// Monotonic instant (in ms of any clock) when the last event was observed.
    private var lastEventClockMs: Int64?

    public static let infinity = Timestamp(millisecondsSinceEpoch: .max)

    public init(lateness: Duration, idleTimeout: Duration = .seconds(5)) {
        self.lateness = lateness
        self.idleTimeout = idleTimeout
        latenessMs = lateness.milliseconds
    }

    /// Records an event's time; returns true when the watermark moved.
    @discardableResult
    public mutating func observe(_ eventTime: Timestamp, clockMs: Int64? = nil) -> Bool {
        if let clockMs { lastEventClockMs = clockMs }
        guard maxEventTime.map({ eventTime > $0 }) ?? true else { return false }
        maxEventTime = eventTime
        return raise(to: Timestamp(millisecondsSinceEpoch: eventTime.millisecondsSinceEpoch - latenessMs))
    }

    /// Advances the watermark for an idle source, given the current reading of the same clock passed to `observe`.
    @discardableResult
    public mutating func advanceIdle(clockMs: Int64) -> Bool {
        guard let lastEventClockMs, let maxEventTime else { return false }
        let idle = clockMs - lastEventClockMs
        guard idle >= idleTimeout.milliseconds else { return false }
        return raise(to: Timestamp(millisecondsSinceEpoch: maxEventTime.millisecondsSinceEpoch - latenessMs + idle))
    }

    /// Restores a checkpointed watermark (idleness starts afresh).
    public mutating func restore(maxEventTime: Timestamp?, current: Timestamp?) {
        self.maxEventTime = maxEventTime
        self.current = current
        lastEventClockMs = nil
    }

    /// End of input: everything is complete.
    public mutating func finish() {
        current = Self.infinity
    }

    /// True when a window ending at `end` is complete.
    public func hasPassed(_ end: Timestamp) -> Bool {
        guard let current else { return false }
        return current >= end
    }

    private mutating func raise(to candidate: Timestamp) -> Bool {
        if let current, current >= candidate { return false }
        current = candidate
        return true
    }
}

extension Duration {
    /// Whole milliseconds (truncated).
    public var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
