import Metrics
import Synchronization
import TallyCore

/// The server's resume-position processor: fed each batch's heartbeats in commit order (staged before the commit,
/// published after it), it holds the open windows, and the closed ones still open to revision, and broadcasts every
/// emitted array to stream subscribers.
///
/// Queries read windows from the `ResumeWindowStore` (an indexed row per user and window), not from here.
public final class ResumeView: Sendable {
    private struct State {
        var processor: ResumeWindowProcessor
        var subscribers: [Int: ResumeSubscription] = [:]
        var nextSubscriber = 0
        var finished = false
    }

    private let state: Mutex<State>
    /// Window, lateness and late policy of the server's resume windows.
    public let configuration: ResumeConfiguration
    /// How far back in event time (from the newest heartbeat) a restore replays the log when no window is stored.
    public let retention: Duration

    /// Milliseconds of a monotonic clock shared by the writer and the ticker (for idle detection only).
    public static func monotonicMilliseconds() -> Int64 {
        (ContinuousClock.now - processStart).milliseconds
    }

    private static let processStart = ContinuousClock.now

    /// A view with no windows and no subscribers.
    public init(configuration: ResumeConfiguration, retention: Duration = .seconds(86_400)) {
        self.configuration = configuration
        self.retention = retention
        state = Mutex(State(processor: ResumeWindowProcessor(configuration: configuration)))
    }

    /// Applies committed heartbeats; returns the arrays they completed or corrected (to be persisted), which
    /// subscribers have already been sent.
    public func apply(_ heartbeats: some Sequence<Heartbeat>, clockMs: Int64?) -> [ResumeRecord] {
        let records = stage(heartbeats, clockMs: clockMs)
        publish(records)
        return records
    }

    /// Applies heartbeats about to be committed; returns the arrays they completed or corrected, which the
    /// writer saves in the same transaction as the heartbeats, then `publish`es once that committed (a
    /// subscriber never sees an array the store does not have). When the commit fails, the writer `restore`s.
    public func stage(_ heartbeats: some Sequence<Heartbeat>, clockMs: Int64?) -> [ResumeRecord] {
        process { processor, outputs in
            for heartbeat in heartbeats { processor.apply(heartbeat, clockMs: clockMs, into: &outputs) }
        }
    }

    /// Lets the watermark follow the wall clock while no heartbeats arrive.
    public func advanceIdle(clockMs: Int64) -> [ResumeRecord] {
        let records = process { processor, outputs in processor.advanceIdle(clockMs: clockMs, into: &outputs) }
        publish(records)
        return records
    }

    /// Runs `step` on the processor; returns what it emitted as records.
    private func process(_ step: (inout ResumeWindowProcessor, inout [ResumeWindowOutput]) -> Void) -> [ResumeRecord] {
        let (outputs, before, after) = state.withLock { state in
            let before = state.processor.statistics
            var outputs: [ResumeWindowOutput] = []
            step(&state.processor, &outputs)
            return (outputs, before, state.processor.statistics)
        }
        ResumeMetrics.record(from: before, to: after)
        return outputs.map(ResumeRecord.init)
    }

    /// Puts a rebuilt processor in place of the current one; subscribers stay.
    func install(_ processor: ResumeWindowProcessor) {
        state.withLock { $0.processor = processor }
    }

    /// The processor's counts, for metrics.
    public var statistics: ResumeStatistics { state.withLock { $0.processor.statistics } }

    /// The resume processor's current watermark (nil before the first heartbeat).
    public var watermark: Timestamp? { state.withLock { $0.processor.watermark } }

    /// Every array emitted from now on, queued up to `maxBufferedBytes` for a slow reader (then it ends with
    /// `.end(.slowConsumer)`); ends with `.end(.shutdown)` when the server shuts down.
    public func subscribe(maxBufferedBytes: Int) -> ResumeSubscription {
        let (subscription, finished) = state.withLock { state in
            let id = state.nextSubscriber
            state.nextSubscriber += 1
            let subscription = ResumeSubscription(maxBytes: maxBufferedBytes) { [weak self] in
                _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
            }
            if !state.finished { state.subscribers[id] = subscription }
            return (subscription, state.finished)
        }
        if finished { subscription.end(.shutdown) }
        return subscription
    }

    /// Open `/resume/stream` subscriptions (a dropped or finished one is gone).
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Ends every stream (graceful shutdown).
    public func finishSubscribers() {
        let subscriptions = state.withLock { state in
            state.finished = true
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscription in subscriptions { subscription.end(.shutdown) }
    }

    /// Sends `records` to every subscriber. Readers that fell too far behind are ended after the lock is
    /// released: ending one runs its termination handler, which takes the lock.
    public func publish(_ records: [ResumeRecord]) {
        guard !records.isEmpty else { return }
        let dropped = state.withLock { state in
            var dropped: [ResumeSubscription] = []
            for record in records {
                for (id, subscription) in state.subscribers where !subscription.offer(record) {
                    state.subscribers[id] = nil
                    dropped.append(subscription)
                }
            }
            return dropped
        }
        for subscription in dropped { subscription.end(.slowConsumer) }
    }
}
