/// Unique users per window for several calendar units at once, on event time.
///
/// A frame is inserted once, into the finest requested unit; when a window closes (the watermark passes its end)
/// its result is emitted and its sketch merged into its parents (minute → hour → day → week and month; month →
/// year), so coarse windows never re-insert users. Closed windows are kept for the retention: a late frame
/// within it is inserted into its closed window and every ancestor window (open ones directly), and each closed
/// window it changed is re-emitted with the next revision when the watermark next moves. Frames older than the
/// retention are rejected and counted; frames far ahead of their partition's time wait in the `EventClock` until
/// other users corroborate that time, and are rejected as outliers if none do.
public struct UniqueWindowCounter: Sendable, EventClockDriven {
    /// Units, lateness, retention and estimate.
    public let configuration: CountConfiguration
    /// The event clock: watermark, partitions, and frames held until their time is corroborated.
    public internal(set) var clock: EventClock<HeldFrame>
    /// What became of every frame so far.
    public internal(set) var statistics = CountStatistics()

    /// A frame the clock holds until its time is corroborated (a copy: the input buffer is gone by then).
    public struct HeldFrame: Sendable {
        var hash: UInt64
        var user: [UInt8]
    }

    struct WindowState: Sendable {
        var window: EventWindow
        var sketch: UniqueSketch
        var frames: Int
        var revision: Int
        var dirty: Bool
    }

    struct Level: Sendable {
        var unit: WindowUnit
        var parents: [Int]
        /// Open windows by start, oldest first.
        var open = OpenWindows()
        /// Closed windows still within the retention, by start.
        var closed: [WindowState] = []
    }

    var levels: [Level]
    /// The retention in milliseconds, computed once (`Duration`'s arithmetic is 128-bit: 5% of `tally count`'s
    /// time when done per frame).
    private let retentionMs: Int64

    /// A counter with no windows yet; the first trusted frame starts the clock.
    public init(configuration: CountConfiguration) {
        precondition(!configuration.units.isEmpty, "count at least one window unit")
        self.configuration = configuration
        clock = EventClock(configuration: configuration.clock)
        retentionMs = configuration.retention.milliseconds
        let units = configuration.units
        levels = units.map { unit in
            Level(unit: unit, parents: configuration.parents(of: unit).compactMap { units.firstIndex(of: $0) })
        }
    }

    /// Open windows over all units, for progress lines.
    public var openWindows: Int { levels.reduce(0) { $0 + $1.open.count } }

    /// The watermark (nil until the clock is established).
    public var watermark: Timestamp? { clock.current }

    /// Adds one frame read from `partition` (0 for files); appends whatever it completes or revises to `outputs`.
    @inline(__always)
    public mutating func add(
        hash: UInt64, user: UnsafeRawBufferPointer, time: Timestamp, partition: Int = 0,
        position: Int64 = 0, clockMs: Int64? = nil, into outputs: inout [CountResult]
    ) {
        let timeMs = time.millisecondsSinceEpoch
        if clock.admit(time: timeMs, key: hash, partition: partition, clockMs: clockMs) {
            apply(hash: hash, user: user, timeMs: timeMs, partition: partition, into: &outputs)
        } else {
            clock.hold(HeldFrame(hash: hash, user: Array(user)), key: hash, time: timeMs, partition: partition, position: position)
            syncOutliers()
        }
        if clock.hasReleased { applyReleased(into: &outputs) }
    }

    /// Lets the watermark pass idle partitions, and follow the wall clock when all are idle.
    public mutating func advanceIdle(clockMs: Int64, into outputs: inout [CountResult]) { driveIdle(clockMs: clockMs, into: &outputs) }

    /// The source reached the end of `partition` for now (a Kafka partition's end with `--until-end`).
    public mutating func partitionIdle(_ partition: Int, into outputs: inout [CountResult]) {
        drivePartitionIdle(partition, into: &outputs)
    }

    /// A partition assigned to this reader: it holds the watermark back until it has frames or goes idle.
    public mutating func register(partition: Int, clockMs: Int64) { clock.register(partition: partition, clockMs: clockMs) }

    /// A partition another reader's clock kept (a Kafka rebalance): its time continues from `handover`.
    public mutating func adopt(_ handover: PartitionClockHandover, partition: Int, clockMs: Int64, into outputs: inout [CountResult]) {
        driveAdopt(handover, partition: partition, clockMs: clockMs, into: &outputs)
    }

    /// A partition taken from this reader: it no longer holds the watermark back, and its held frames are dropped
    /// (counted as handed over) for its next owner to read again.
    public mutating func remove(partition: Int, into outputs: inout [CountResult]) { driveRemove(partition: partition, into: &outputs) }

    /// End of input: applies what the clock can still trust, rejects the rest, then closes every open window.
    public mutating func finish(into outputs: inout [CountResult]) { driveFinish(into: &outputs) }

    /// Current results of the open windows, marked `final: false` (for `--emit updates`).
    public func provisional() -> [CountResult] {
        levels.flatMap { level in level.open.all.map { result($0, final: false) } }
    }

    @inline(__always)
    private mutating func apply(
        hash: UInt64, user: UnsafeRawBufferPointer, timeMs: Int64, partition: Int,
        into outputs: inout [CountResult]
    ) {
        if let current = clock.current, timeMs < current.millisecondsSinceEpoch - retentionMs {
            statistics.rejectedTooOld += 1
            return
        }
        statistics.counted += 1
        let time = Timestamp(millisecondsSinceEpoch: timeMs)
        let window = levels[0].unit.window(containing: time)
        if clock.hasPassed(window.end) {
            statistics.late += 1
            insertLate(hash: hash, user: user, time: time, level: 0)
        } else {
            let index = levels[0].open.index(of: window, exact: configuration.exact, precision: configuration.precision)
            levels[0].open[index].sketch.insert(hash: hash, user: user)
            levels[0].open[index].frames += 1
        }
        if clock.trust(time: timeMs, partition: partition) { advance(into: &outputs) }
    }

    mutating func applyReleased(into outputs: inout [CountResult]) {
        while let (held, partition) = clock.popReleased() {
            held.event.user.withUnsafeBytes { user in
                apply(hash: held.event.hash, user: user, timeMs: held.time, partition: partition, into: &outputs)
            }
        }
    }

    mutating func syncOutliers() {
        statistics.rejectedOutliers = clock.rejectedOutliers
        statistics.handedOver = clock.handedOver
    }

    mutating func watermarkMoved(into outputs: inout [CountResult]) { advance(into: &outputs) }

    private mutating func insertLate(hash: UInt64, user: UnsafeRawBufferPointer, time: Timestamp, level: Int) {
        let window = levels[level].unit.window(containing: time)
        if let index = Self.closedIndex(of: window, in: levels[level].closed) {
            levels[level].closed[index].sketch.insert(hash: hash, user: user)
            levels[level].closed[index].frames += 1
            levels[level].closed[index].dirty = true
            for parent in levels[level].parents { insertLate(hash: hash, user: user, time: time, level: parent) }
        } else {
            // Open (or not yet created): the window will count the frame when it closes; no need to go further up,
            // because it is merged into its parents then.
            let index = levels[level].open.index(of: window, exact: configuration.exact, precision: configuration.precision)
            levels[level].open[index].sketch.insert(hash: hash, user: user)
            levels[level].open[index].frames += 1
        }
    }

    private mutating func advance(into outputs: inout [CountResult]) {
        // Revisions of closed windows first: they describe the past.
        for level in levels.indices {
            for index in levels[level].closed.indices where levels[level].closed[index].dirty {
                levels[level].closed[index].dirty = false
                levels[level].closed[index].revision += 1
                statistics.revisions += 1
                outputs.append(result(levels[level].closed[index], final: true))
            }
        }
        let keepClosed = clock.current != EventClock<HeldFrame>.infinity
        for level in levels.indices {
            let complete = levels[level].open.removeComplete { clock.hasPassed($0.end) }
            for state in complete {
                statistics.windowsClosed += 1
                outputs.append(result(state, final: true))
                for parent in levels[level].parents {
                    let window = levels[parent].unit.window(containing: state.window.start)
                    let index = levels[parent].open.index(of: window, exact: configuration.exact, precision: configuration.precision)
                    levels[parent].open[index].sketch.merge(state.sketch)
                    levels[parent].open[index].frames += state.frames
                }
                if keepClosed { levels[level].closed.append(state) }
            }
        }
        if let current = clock.current, keepClosed {
            let horizon = current.millisecondsSinceEpoch - retentionMs
            for level in levels.indices {
                levels[level].closed.removeAll { $0.window.end.millisecondsSinceEpoch <= horizon }
            }
        }
    }

    /// Index of `window` among closed windows (kept in start order), by binary search on the windows read in place:
    /// reading a whole state would copy its sketch, and a late frame is looked up here once per level.
    private static func closedIndex(of window: EventWindow, in closed: [WindowState]) -> Int? {
        closed.withUnsafeBufferPointer { buffer in
            var low = 0
            var high = buffer.count
            while low < high {
                let middle = low + (high - low) / 2
                if buffer[middle].window.start < window.start { low = middle + 1 } else { high = middle }
            }
            return low < buffer.count && buffer[low].window.start == window.start ? low : nil
        }
    }

    private func result(_ state: WindowState, final: Bool) -> CountResult {
        CountResult(
            window: state.window, uniques: state.sketch.count, frames: state.frames, final: final,
            revision: state.revision, exact: state.sketch.isExact, relativeError: state.sketch.relativeError,
            sketch: state.sketch)
    }
}
