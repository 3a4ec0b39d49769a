import Metrics
import Synchronization
import TallyCore

/// The server's resume-position processor: fed committed heartbeats in commit order, it keeps each user's latest
/// closed-window array in memory and broadcasts every emitted array to stream subscribers.
///
/// Older windows live in the `ResumeWindowStore` (an indexed row per user and window), not in memory.
public final class ResumeView: Sendable {
    private struct State {
        var processor: ResumeWindowProcessor
        var latest: [String: ResumeRecord] = [:]
        var subscribers: [Int: ResumeSubscription] = [:]
        var nextSubscriber = 0
        var finished = false
    }

    private let state: Mutex<State>
    public let configuration: ResumeConfiguration

    /// Milliseconds of a monotonic clock shared by the writer and the ticker (for idle detection only).
    public static func monotonicMilliseconds() -> Int64 {
        (ContinuousClock.now - processStart).milliseconds
    }

    private static let processStart = ContinuousClock.now

    public init(configuration: ResumeConfiguration) {
        self.configuration = configuration
        state = Mutex(State(processor: ResumeWindowProcessor(configuration: configuration)))
    }

    /// Applies committed heartbeats; returns the arrays they completed or corrected (to be persisted).
    public func apply(_ heartbeats: some Sequence<Heartbeat>, clockMs: Int64?) -> [ResumeRecord] {
        let (records, before, after) = state.withLock { state in
            let before = state.processor.statistics
            var outputs: [ResumeWindowOutput] = []
            for heartbeat in heartbeats { state.processor.apply(heartbeat, clockMs: clockMs, into: &outputs) }
            return (Self.publish(outputs, in: &state), before, state.processor.statistics)
        }
        ResumeMetrics.record(from: before, to: after)
        return records
    }

    /// Lets the watermark follow the wall clock while no heartbeats arrive.
    public func advanceIdle(clockMs: Int64) -> [ResumeRecord] {
        let (records, before, after) = state.withLock { state in
            let before = state.processor.statistics
            var outputs: [ResumeWindowOutput] = []
            state.processor.advanceIdle(clockMs: clockMs, into: &outputs)
            return (Self.publish(outputs, in: &state), before, state.processor.statistics)
        }
        ResumeMetrics.record(from: before, to: after)
        return records
    }

    /// Installs records loaded from the store at start (no broadcast).
    public func restore(_ records: [ResumeRecord]) {
        state.withLock { state in
            for record in records { Self.remember(record, in: &state) }
        }
    }

    /// The user's latest closed window.
    public func latest(user: String) -> ResumeRecord? {
        state.withLock { $0.latest[user] }
    }

    public var statistics: ResumeStatistics { state.withLock { $0.processor.statistics } }

    /// The resume processor's current watermark (nil before the first heartbeat).
    public var watermark: Timestamp? { state.withLock { $0.processor.watermark } }

    /// Every array emitted from now on, queued up to `maxBufferedBytes` for a slow reader (then it ends with
    /// `.end(.slowConsumer)`); ends with `.end(.shutdown)` when the server shuts down.
    public func subscribe(maxBufferedBytes: Int) -> ResumeSubscription {
        let id = state.withLock { state in
            defer { state.nextSubscriber += 1 }
            return state.nextSubscriber
        }
        let subscription = ResumeSubscription(maxBytes: maxBufferedBytes) { [weak self] in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        let finished = state.withLock { state -> Bool in
            if !state.finished { state.subscribers[id] = subscription }
            return state.finished
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

    private static func publish(_ outputs: [ResumeWindowOutput], in state: inout State) -> [ResumeRecord] {
        guard !outputs.isEmpty else { return [] }
        let records = outputs.map(ResumeRecord.init)
        for record in records {
            remember(record, in: &state)
            for (id, subscription) in state.subscribers where !subscription.offer(record) {
                state.subscribers[id] = nil
            }
        }
        return records
    }

    private static func remember(_ record: ResumeRecord, in state: inout State) {
        if let current = state.latest[record.userId], current.window.start > record.window.start { return }
        state.latest[record.userId] = record
    }
}
