/// Event time for streams from untrusted clocks and partitioned sources: the watermark every windowed processor
/// of Tally closes its windows by.
///
/// Three rules, after Apache Flink's per-partition watermarks and idleness, with one of Tally's own for outliers:
/// - **Per partition.** Each partition (a Kafka partition; a file or the server is partition 0) has a frontier, its
///   newest trusted event time. The watermark is the lowest frontier of the partitions that are not idle, minus
///   the lateness, and never moves back. A partition that is read ahead of the others therefore cannot make their
///   events late. A partition with no event for `idleTimeout`, or marked idle (the end of a Kafka partition), stops
///   holding the watermark back until its next event. When every partition is idle the watermark follows the wall
///   clock from the newest frontier, so a live stream that stops still closes its last windows.
/// - **Corroboration.** An event more than `maxJump` ahead of its partition's frontier is held aside, not trusted.
///   It is released (applied, and allowed to move the frontier) once `corroboration` distinct keys have sent held
///   events at or beyond some time T within `maxJump` below it: a real jump in time (a gap in history, a replay
///   that starts later) comes from many users at once, a bad clock from one. A partition starts with no frontier
///   and holds its first events until the same condition holds, so a corrupted first event cannot set the time.
///   Events never corroborated are rejected as outliers at the end, or when more than `maxHeld` are held (the
///   furthest ahead first). A partition that has seen fewer distinct keys than `corroboration` needs all of them.
/// - **Release order.** Released events are handed back in arrival order, and events within reach are applied as
///   they come, so in a stream without jumps the clock changes nothing: its output equals a plain watermark's.
///
/// The clock only decides; the processor applies: `admit`, then either `hold` or (after applying) `trust`, then
/// `popReleased` until empty.
public struct EventClock<Event: Sendable>: Sendable {
    /// An event held until corroborated.
    public struct Held: Sendable {
        /// The event itself, kept until it is released or rejected.
        public var event: Event
        /// Its key's hash (the user): corroboration counts distinct keys.
        public var key: UInt64
        /// Its event time in milliseconds.
        public var time: Int64
        /// Where the event sits in its source (a Kafka offset; 0 for files and the server): a consumer commits no
        /// further than its partition's oldest held event, so that a partition's next owner reads it again.
        public var position: Int64
    }

    struct Partition: Sendable {
        var id: Int
        var established = false
        /// Newest trusted event time (`Int64.min` before the first).
        var frontier: Int64 = .min
        /// `frontier + maxJump`: events up to it are applied at once.
        var acceptLimit: Int64 = .min
        /// The first trusted event time (`Int64.min` before it): where a partition that has not delivered yet is
        /// assumed to start, for alignment.
        var firstTime: Int64 = .min
        var pending: [Held] = []
        var pendingMin: Int64 = .max
        /// The first distinct keys seen, up to `corroboration`: how many keys a jump needs here.
        var keys: [UInt64] = []
        /// `keys` holds `corroboration` keys: no need to look at it per event.
        var keysComplete = false
        var lastClockMs: Int64?
        var idle = false

        init(id: Int) { self.id = id }
    }

    /// Lateness, idleness, jump and corroboration settings.
    public let configuration: EventClockConfiguration
    /// Durations in milliseconds, computed once: `Duration`'s 128-bit arithmetic is too slow per event.
    let latenessMs: Int64, maxJumpMs: Int64, idleMs: Int64
    var partitions: [Partition] = []
    var lastIndex = 0
    /// The watermark; nil until every active partition has a frontier.
    public private(set) var current: Timestamp?
    var lastEventClockMs: Int64?
    private var released: [(held: Held, partition: Int)] = []
    private var releasedHead = 0
    /// Held events rejected as never corroborated (overflow, or still held at the end).
    public internal(set) var rejectedOutliers = 0
    /// Held events dropped because their partition was revoked: its next owner reads them again.
    public internal(set) var handedOver = 0

    /// The watermark after the end of input: every window is due.
    public static var infinity: Timestamp { Timestamp(millisecondsSinceEpoch: .max) }

    /// A clock with no partitions and no watermark yet.
    public init(configuration: EventClockConfiguration) {
        self.configuration = configuration
        latenessMs = configuration.lateness.milliseconds
        maxJumpMs = configuration.maxJump.milliseconds
        idleMs = configuration.idleTimeout.milliseconds
    }

    /// Events held now, over all partitions.
    public var heldEvents: Int { partitions.reduce(0) { $0 + $1.pending.count } }

    /// True when a window ending at `end` is complete.
    @inline(__always)
    public func hasPassed(_ end: Timestamp) -> Bool {
        guard let current else { return false }
        return current >= end
    }

    /// Notes an event's arrival; true when it may be applied now, false when it must be `hold`-ed.
    @inline(__always)
    public mutating func admit(time: Int64, key: UInt64, partition: Int, clockMs: Int64?) -> Bool {
        let index = self.index(of: partition)
        // The common case touches three fields: the clock reading changes once per chunk, not per event, and the
        // first keys are complete after a few events.
        if let clockMs, lastEventClockMs != clockMs || partitions[index].lastClockMs != clockMs {
            partitions[index].lastClockMs = clockMs
            lastEventClockMs = clockMs
        }
        if partitions[index].idle { partitions[index].idle = false }
        if !partitions[index].keysComplete { note(key: key, at: index) }
        return partitions[index].established && time <= partitions[index].acceptLimit
    }

    /// Holds an event `admit` refused; it comes back from `popReleased` once corroborated.
    public mutating func hold(_ event: Event, key: UInt64, time: Int64, partition: Int, position: Int64 = 0) {
        let index = self.index(of: partition)
        partitions[index].pending.append(Held(event: event, key: key, time: time, position: position))
        partitions[index].pendingMin = min(partitions[index].pendingMin, time)
        if !partitions[index].established {
            corroborate(index, fallback: partitions[index].pending.count >= configuration.maxHeld)
            return
        }
        if partitions[index].pending.count > configuration.maxHeld { evictFurthest(index) }
        corroborate(index, fallback: false)
    }

    /// Records that an applied event's time is trusted; true when the watermark moved.
    @inline(__always)
    public mutating func trust(time: Int64, partition: Int) -> Bool {
        let index = self.index(of: partition)
        guard time > partitions[index].frontier else { return false }
        if partitions[index].frontier == .min { partitions[index].firstTime = time }
        moveFrontier(index, to: time)
        return recompute()
    }

    /// Sets a partition's frontier and releases the held events now within reach of it.
    @inline(__always)
    mutating func moveFrontier(_ index: Int, to time: Int64) {
        partitions[index].frontier = time
        partitions[index].acceptLimit = Self.adding(time, maxJumpMs)
        if partitions[index].acceptLimit >= partitions[index].pendingMin {
            release(index, upTo: partitions[index].acceptLimit)
        }
    }

    /// The next released event, in arrival order.
    public mutating func popReleased() -> (held: Held, partition: Int)? {
        guard releasedHead < released.count else { return nil }
        defer {
            releasedHead += 1
            if releasedHead == released.count {
                released.removeAll(keepingCapacity: true)
                releasedHead = 0
            }
        }
        return released[releasedHead]
    }

    /// True when events are waiting to be applied (`popReleased`).
    public var hasReleased: Bool { releasedHead < released.count }

    /// Before the end: partitions that never reached `corroboration` keys trust the keys they have, and held
    /// events within `maxJump` of the newest frontier of any partition are corroborated by it (the last events of a
    /// sparse partition after a gap have nobody left to agree with them in their own partition).
    public mutating func settle() {
        for index in partitions.indices where !partitions[index].established { corroborate(index, fallback: true) }
        guard let newest = partitions.map(\.frontier).max(), newest != .min else { return }
        for index in partitions.indices where partitions[index].pendingMin <= Self.adding(newest, maxJumpMs) {
            release(index, upTo: Self.adding(newest, maxJumpMs))
        }
    }

    /// End of input: held events are rejected as outliers, and the watermark goes to +∞.
    public mutating func finish() {
        for index in partitions.indices {
            rejectedOutliers += partitions[index].pending.count
            partitions[index].pending.removeAll()
            partitions[index].pendingMin = .max
        }
        current = Self.infinity
    }

    // MARK: - Internals

    mutating func restoreState(current: Timestamp?, rejected: Int, handedOver: Int) {
        self.current = current
        rejectedOutliers = rejected
        self.handedOver = handedOver
    }

    @inline(__always)
    mutating func index(of partition: Int) -> Int {
        if lastIndex < partitions.count, partitions[lastIndex].id == partition { return lastIndex }
        if let found = partitions.firstIndex(where: { $0.id == partition }) {
            lastIndex = found
        } else {
            partitions.append(Partition(id: partition))
            lastIndex = partitions.count - 1
        }
        return lastIndex
    }

    private mutating func note(key: UInt64, at index: Int) {
        if !partitions[index].keys.contains(key) { partitions[index].keys.append(key) }
        partitions[index].keysComplete = partitions[index].keys.count >= configuration.corroboration
    }

    /// Releases the held events of a jump that `corroboration` distinct keys agree on (or, as a fallback, that
    /// every key seen agrees on).
    mutating func corroborate(_ index: Int, fallback: Bool) {
        let seen = partitions[index].keys.count
        let need = partitions[index].established || fallback ? min(configuration.corroboration, max(seen, 1)) : configuration.corroboration
        guard let agreed = Self.agreedTime(partitions[index].pending, keys: need) else { return }
        partitions[index].established = true
        if partitions[index].frontier == .min { partitions[index].acceptLimit = .max }
        release(index, upTo: Self.adding(max(agreed, partitions[index].frontier), maxJumpMs))
    }

    /// The largest time T such that `keys` distinct keys have held events at or after T (per-key maxima, top-k).
    static func agreedTime(_ pending: [Held], keys: Int) -> Int64? {
        var top: [(key: UInt64, time: Int64)] = []
        top.reserveCapacity(keys)
        for held in pending {
            if let found = top.firstIndex(where: { $0.key == held.key }) {
                top[found].time = max(top[found].time, held.time)
            } else if top.count < keys {
                top.append((held.key, held.time))
            } else if let low = top.indices.min(by: { top[$0].time < top[$1].time }), held.time > top[low].time {
                top[low] = (held.key, held.time)
            }
        }
        guard top.count == keys else { return nil }
        return top.map(\.time).min()
    }

    mutating func release(_ index: Int, upTo limit: Int64) {
        let id = partitions[index].id
        var kept: [Held] = []
        var keptMin = Int64.max
        for held in partitions[index].pending {
            if held.time <= limit {
                released.append((held, id))
            } else {
                kept.append(held)
                keptMin = min(keptMin, held.time)
            }
        }
        partitions[index].pending = kept
        partitions[index].pendingMin = keptMin
    }

    private mutating func evictFurthest(_ index: Int) {
        guard
            let furthest = partitions[index].pending.indices.max(by: {
                partitions[index].pending[$0].time < partitions[index].pending[$1].time
            })
        else { return }
        partitions[index].pending.remove(at: furthest)
        partitions[index].pendingMin = partitions[index].pending.map(\.time).min() ?? .max
        rejectedOutliers += 1
    }

    /// The watermark from the active partitions' frontiers; true when it moved.
    mutating func recompute() -> Bool {
        var slowest = Int64.max
        var active = false
        for partition in partitions where !partition.idle {
            guard partition.established, partition.frontier != .min else { return false }
            slowest = min(slowest, partition.frontier)
            active = true
        }
        guard active else { return false }
        return raise(to: Self.adding(slowest, -latenessMs))
    }

    mutating func raise(to candidate: Int64) -> Bool {
        if let current, current.millisecondsSinceEpoch >= candidate { return false }
        current = Timestamp(millisecondsSinceEpoch: candidate)
        return true
    }

    @inline(__always)
    static func adding(_ time: Int64, _ amount: Int64) -> Int64 {
        let (sum, overflow) = time.addingReportingOverflow(amount)
        return overflow ? (amount > 0 ? .max : .min) : sum
    }
}
