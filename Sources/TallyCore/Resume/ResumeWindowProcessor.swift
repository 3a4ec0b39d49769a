import DequeModule

/// The resume-position processor of the heartbeat brief: per one-minute (configurable) tumbling window and per
/// user, the last observed position of each movie, emitted once the watermark passes the window's end.
///
/// It is a deterministic state machine: events are applied one at a time (assign to a window using the watermark
/// as it stands, then let the event advance the watermark), so the same events in any chunking give the same
/// outputs in the same order. Only open windows are held, plus closed ones within the retention when late events
/// are re-emitted, so memory stays flat over any length of replay. Heartbeats far ahead of their partition's time
/// wait in the `EventClock` until other users corroborate that time (a client with a bad clock never moves it).
public struct ResumeWindowProcessor: Sendable, EventClockDriven {
    /// Window, lateness and late policy.
    public let configuration: ResumeConfiguration
    /// The event clock: watermark, partitions, and heartbeats held until their time is corroborated.
    public internal(set) var clock: EventClock<Heartbeat>
    /// What became of every heartbeat so far.
    public internal(set) var statistics = ResumeStatistics()

    /// user → latest point per movie, for one window. A user watches one or two movies a minute, so a small array
    /// searched linearly beats a second hash lookup.
    typealias WindowContents = [String: [ResumePoint]]
    /// Open windows, oldest first. There are only a few (lateness / window size + 1), so an array beats a hash.
    var open: Deque<(window: EventWindow, users: WindowContents)> = []
    var closed: [Timestamp: ClosedWindow] = [:]
    var arrivals: UInt64 = 0
    /// The retention in milliseconds, computed once: `Duration`'s arithmetic is 128-bit, too slow per late event.
    private let retentionMs: Int64

    struct ClosedWindow {
        var window: EventWindow
        var users: WindowContents
        var revisions: [String: Int]

        mutating func restore(user: String, points: [ResumePoint], revision: Int) {
            users[user] = points
            revisions[user] = revision
        }

        /// Merges a late point in place; returns the user's points and new revision.
        mutating func revise(with point: ResumePoint, user: String) -> (movies: [ResumePoint], revision: Int) {
            ResumeWindowProcessor.merge(point, user: user, into: &users)
            revisions[user, default: 0] += 1
            return (users[user] ?? [], revisions[user]!)
        }
    }

    /// A processor with no windows yet; the first trusted heartbeat starts the clock.
    public init(configuration: ResumeConfiguration = ResumeConfiguration()) {
        self.configuration = configuration
        clock = EventClock(configuration: configuration.clock)
        retentionMs = configuration.retention.milliseconds
    }

    /// Windows with at least one user, for progress lines and metrics.
    public var openWindows: Int { open.count }

    /// The watermark (nil until the clock is established).
    public var watermark: Timestamp? { clock.current }

    /// Applies one heartbeat read from `partition` (0 for files and the server); appends whatever it makes
    /// complete (or corrects) to `outputs`.
    public mutating func apply(
        _ heartbeat: Heartbeat, partition: Int = 0, position: Int64 = 0, clockMs: Int64? = nil,
        into outputs: inout [ResumeWindowOutput]
    ) {
        statistics.events += 1
        let timeMs = heartbeat.timestamp.millisecondsSinceEpoch
        let key = XXHash64.hash(heartbeat.userId)
        if clock.admit(time: timeMs, key: key, partition: partition, clockMs: clockMs) {
            place(heartbeat, partition: partition, into: &outputs)
        } else {
            clock.hold(heartbeat, key: key, time: timeMs, partition: partition, position: position)
            syncOutliers()
        }
        if clock.hasReleased { applyReleased(into: &outputs) }
    }

    /// Puts back a closed window's array of one user, as stored, so that late heartbeats revise it (from
    /// `revision` + 1) instead of starting the array afresh. Only with `.emit`, the policy that revises.
    public mutating func restoreClosed(_ window: EventWindow, user: String, points: [ResumePoint], revision: Int) {
        guard configuration.late == .emit else { return }
        closed[window.start, default: ClosedWindow(window: window, users: [:], revisions: [:])].restore(
            user: user, points: points, revision: revision)
    }

    /// Lets the watermark pass idle partitions, and follow the wall clock when all are idle.
    public mutating func advanceIdle(clockMs: Int64, into outputs: inout [ResumeWindowOutput]) {
        driveIdle(clockMs: clockMs, into: &outputs)
    }

    /// The source reached the end of `partition` for now (a Kafka partition's end with `--until-end`).
    public mutating func partitionIdle(_ partition: Int, into outputs: inout [ResumeWindowOutput]) {
        drivePartitionIdle(partition, into: &outputs)
    }

    /// A partition assigned to this reader: it holds the watermark back until it has heartbeats or goes idle.
    public mutating func register(partition: Int, clockMs: Int64) { clock.register(partition: partition, clockMs: clockMs) }

    /// A partition another reader's clock kept (a Kafka rebalance): its time continues from `handover`.
    public mutating func adopt(
        _ handover: PartitionClockHandover, partition: Int, clockMs: Int64,
        into outputs: inout [ResumeWindowOutput]
    ) {
        driveAdopt(handover, partition: partition, clockMs: clockMs, into: &outputs)
    }

    /// A partition taken from this reader: its held heartbeats are dropped (counted as handed over) for its next
    /// owner to read again.
    public mutating func remove(partition: Int, into outputs: inout [ResumeWindowOutput]) {
        driveRemove(partition: partition, into: &outputs)
    }

    /// End of input: applies what the clock can still trust, rejects the rest, then closes every open window.
    public mutating func finish(into outputs: inout [ResumeWindowOutput]) {
        driveFinish(into: &outputs)
        closed.removeAll()
    }

    mutating func syncOutliers() {
        statistics.rejectedOutliers = clock.rejectedOutliers
        statistics.handedOver = clock.handedOver
    }

    mutating func watermarkMoved(into outputs: inout [ResumeWindowOutput]) { closeCompleted(into: &outputs) }

    mutating func applyReleased(into outputs: inout [ResumeWindowOutput]) {
        while let (held, partition) = clock.popReleased() { place(held.event, partition: partition, into: &outputs) }
    }

    /// Puts a trusted heartbeat into its window (or revises a closed one), then lets it move the clock.
    private mutating func place(_ heartbeat: Heartbeat, partition: Int, into outputs: inout [ResumeWindowOutput]) {
        arrivals += 1
        let point = ResumePoint(
            movieId: heartbeat.movieId, position: heartbeat.position, timestamp: heartbeat.timestamp, arrival: arrivals)
        let window = configuration.window.window(containing: heartbeat.timestamp)
        if clock.hasPassed(window.end) {
            applyLate(point, user: heartbeat.userId, window: window, into: &outputs)
        } else {
            let slot = open.firstIndex(startingAtOrAfter: window.start) { $0.window }
            if slot == open.endIndex || open[slot].window.start != window.start { open.insert((window, [:]), at: slot) }
            Self.merge(point, user: heartbeat.userId, into: &open[slot].users)
        }
        if clock.trust(time: heartbeat.timestamp.millisecondsSinceEpoch, partition: partition) {
            closeCompleted(into: &outputs)
        }
    }

    private mutating func applyLate(_ point: ResumePoint, user: String, window: EventWindow, into outputs: inout [ResumeWindowOutput]) {
        statistics.late += 1
        guard configuration.late == .emit, let current = clock.current,
            current.millisecondsSinceEpoch - window.end.millisecondsSinceEpoch < retentionMs
        else {
            statistics.lateDropped += 1
            return
        }
        // Changed in place through the dictionary's `default:` subscript: taking the entry out, changing it and
        // storing it back would copy its whole user table for every late heartbeat, quadratic in a window's users
        // (docs/performance.md has the measurement).
        let (movies, revision) = closed[window.start, default: ClosedWindow(window: window, users: [:], revisions: [:])]
            .revise(with: point, user: user)
        statistics.lateRevised += 1
        statistics.outputs += 1
        outputs.append(Self.output(window: window, user: user, movies: movies, revision: revision))
    }

    private mutating func closeCompleted(into outputs: inout [ResumeWindowOutput]) {
        let complete = open.prefix { clock.hasPassed($0.window.end) }
        guard !complete.isEmpty else { return }
        open.removeFirst(complete.count)
        for (window, users) in complete {
            statistics.windowsClosed += 1
            for user in users.keys.sorted() {
                outputs.append(Self.output(window: window, user: user, movies: users[user]!, revision: 0))
                statistics.outputs += 1
            }
            if configuration.late == .emit, clock.current != EventClock<Heartbeat>.infinity {
                closed[window.start] = ClosedWindow(window: window, users: users, revisions: [:])
            }
        }
        if configuration.late == .emit, let current = clock.current, !closed.isEmpty {
            let horizon = current.millisecondsSinceEpoch - retentionMs
            closed = closed.filter { $0.value.window.end.millisecondsSinceEpoch > horizon }
        }
    }

    fileprivate static func merge(_ point: ResumePoint, user: String, into contents: inout WindowContents) {
        upsert(point, into: &contents[user, default: []])  // one in-place hash lookup
    }

    private static func upsert(_ point: ResumePoint, into points: inout [ResumePoint]) {
        if let index = points.firstIndex(where: { $0.movieId == point.movieId }) {
            if points[index].isSuperseded(by: point) { points[index] = point }
        } else {
            points.append(point)
        }
    }

    private static func output(window: EventWindow, user: String, movies: [ResumePoint], revision: Int) -> ResumeWindowOutput {
        let points = movies.sorted { ($0.timestamp, $0.movieId) < ($1.timestamp, $1.movieId) }
        return ResumeWindowOutput(window: window, userId: user, points: points, revision: revision)
    }
}
