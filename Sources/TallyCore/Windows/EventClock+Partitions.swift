/// What a source tells the clock about its partitions beyond their events: assignments and revocations, idleness,
/// and which partitions to pause for watermark alignment.
extension EventClock {
    /// A partition the source will read (a Kafka assignment): it holds the watermark back from now until it has
    /// events or goes idle, so a partition that has not delivered yet cannot find its events late.
    public mutating func register(partition: Int, clockMs: Int64) {
        let index = self.index(of: partition)
        if partitions[index].lastClockMs == nil { partitions[index].lastClockMs = clockMs }
    }

    /// The partition has events the source is holding back (paused for alignment): it is not idle.
    public mutating func keepAlive(partition: Int, clockMs: Int64) {
        let index = self.index(of: partition)
        partitions[index].lastClockMs = clockMs
    }

    /// The partition is gone (revoked from this consumer): it no longer holds the watermark back, and its held
    /// events are dropped and counted as `handedOver`. A consumer that commits no further than
    /// `oldestHeldPosition` leaves them to the partition's next owner, which reads them again.
    public mutating func remove(partition: Int) {
        guard let index = partitions.firstIndex(where: { $0.id == partition }) else { return }
        handedOver += partitions.remove(at: index).pending.count
        lastIndex = 0
    }

    /// The source position of the partition's oldest held event (nil when it holds none): where its next owner
    /// must start reading for nothing held here to be lost.
    public func oldestHeldPosition(partition: Int) -> Int64? {
        partitions.first { $0.id == partition }?.pending.lazy.map(\.position).min()
    }

    /// Recomputes the watermark from the partitions (after `remove` or `markIdle`); true when it moved.
    public mutating func refresh() -> Bool { recompute() }

    /// The partition has no more events for now (the end of a Kafka partition). Like `noteIdle`, it only marks:
    /// the caller applies what this released, then lets the watermark move (`refresh`), so released events are
    /// judged by the watermark as it stood.
    public mutating func markIdle(partition: Int) {
        let index = self.index(of: partition)
        guard !partitions[index].idle else { return }
        partitions[index].idle = true
        if !partitions[index].established { corroborate(index, fallback: true) }
    }

    /// Marks partitions idle whose last event is `idleTimeout` old; call `advanceIdle` after applying what this released.
    public mutating func noteIdle(clockMs: Int64) {
        for index in partitions.indices where !partitions[index].idle {
            guard let last = partitions[index].lastClockMs else {
                partitions[index].lastClockMs = clockMs
                continue
            }
            guard clockMs - last >= idleMs else { continue }
            partitions[index].idle = true
            if !partitions[index].established { corroborate(index, fallback: true) }
        }
    }

    /// Moves the watermark past idle partitions, and with the wall clock when all are idle; true when it moved.
    public mutating func advanceIdle(clockMs: Int64) -> Bool {
        if partitions.contains(where: { !$0.idle }) { return recompute() }
        guard let lastEventClockMs, let newest = partitions.map(\.frontier).max(), newest != .min else { return false }
        let idle = clockMs - lastEventClockMs
        guard idle >= idleMs else { return false }
        return raise(to: Self.adding(Self.adding(newest, -latenessMs), idle))
    }

    /// Partitions whose own watermark runs more than `maxSkew` ahead of the slowest active partition's: a source
    /// pauses them (watermark alignment), so a replay holds a bounded span of open windows. A partition that is
    /// active but has delivered nothing yet counts as starting where the earliest partition started: a consumer
    /// that hands out one partition's whole fetch first (hours or months of event time) is held back until the
    /// others have delivered too.
    public func partitionsAhead(by maxSkew: Duration) -> Set<Int> {
        let active = partitions.filter { !$0.idle && $0.established && $0.frontier != .min }
        guard var slowest = active.map(\.frontier).min() else { return [] }
        if partitions.contains(where: { !$0.idle && ($0.frontier == .min) }),
            let earliest = active.map(\.firstTime).min()
        {
            slowest = min(slowest, earliest)
        }
        let limit = Self.adding(slowest, maxSkew.milliseconds)
        return Set(active.filter { $0.frontier > limit }.map(\.id))
    }
}
