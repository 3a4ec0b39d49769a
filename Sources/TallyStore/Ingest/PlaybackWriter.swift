import Logging
import Metrics
import ServiceLifecycle
import TallyCore

/// The single writer: takes queued requests in batches, applies them to staging copies of their keys' states,
/// commits events and states in one transaction, publishes the states, then acknowledges every request of the batch.
///
/// On graceful shutdown it stops taking new requests, commits everything already queued, and closes the store.
public struct PlaybackWriter: Service {
    public let queue: CommitQueue
    public let store: any EventStore
    public let view: PlaybackView
    public let configuration: WriterConfiguration
    private let processor: PlaybackProcessor
    private let resume: (view: ResumeView, store: any ResumeWindowStore)?
    private let logger: Logger
    private let batchSize = Recorder(label: "tally_commit_batch_events", aggregate: true)
    private let commitLatency = Metrics.Timer(label: "tally_commit_duration_seconds", preferredDisplayUnit: .seconds)
    private let commitFailures = Counter(label: "tally_commit_failures_total")

    /// - Parameter resume: when set, committed heartbeats also feed the resume-position windows, and the arrays they
    ///   complete are saved to its store.
    public init(
        store: any EventStore, view: PlaybackView, configuration: WriterConfiguration,
        resume: (view: ResumeView, store: any ResumeWindowStore)? = nil, logger: Logger
    ) {
        self.queue = CommitQueue(maxPendingEvents: configuration.maxPendingEvents)
        self.store = store
        self.view = view
        self.configuration = configuration
        self.processor = PlaybackProcessor(rules: view.rules)
        self.resume = resume
        self.logger = logger
    }

    /// Hands events to the writer; returns when they are durable and visible to queries.
    public func submit(_ events: [ReceivedEvent]) async throws {
        try await queue.submit(events)
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            while let batch = await nextBatch() {
                await commit(batch)
            }
        } onGracefulShutdown: {
            queue.finish()
        }
        logger.info("writer drained; closing store")
        try await store.close()
    }

    private func nextBatch() async -> [CommitQueue.Request]? {
        guard var batch = await queue.take(maxEvents: configuration.maxBatchEvents) else { return nil }
        guard configuration.commitDelay > .zero else { return batch }
        var count = batch.reduce(0) { $0 + $1.events.count }
        let deadline = ContinuousClock.now + configuration.commitDelay
        while count < configuration.maxBatchEvents, queue.pendingEvents > 0 || ContinuousClock.now < deadline {
            if queue.pendingEvents == 0 {
                try? await Task.sleep(until: deadline, tolerance: .microseconds(100), clock: .continuous)
                if queue.pendingEvents == 0 { break }
            }
            guard let more = await queue.take(maxEvents: configuration.maxBatchEvents - count) else { break }
            count += more.reduce(0) { $0 + $1.events.count }
            batch += more
        }
        return batch
    }

    private func commit(_ batch: [CommitQueue.Request]) async {
        let events = batch.flatMap(\.events)
        let changes = view.plan(events, with: processor)
        let started = ContinuousClock.now
        do {
            try await store.append(events, states: changes)
            view.install(changes)
            commitLatency.recordInterval(since: started)
            batchSize.record(events.count)
            for request in batch { request.succeed() }
        } catch {
            commitFailures.increment()
            logger.error("commit failed", metadata: ["events": "\(events.count)", "error": "\(error)"])
            for request in batch { request.fail(error) }
            return
        }
        await feedResume(events)
    }

    /// Heartbeats reach the resume windows only once committed, in commit order.
    private func feedResume(_ events: [ReceivedEvent]) async {
        guard let resume else { return }
        let heartbeats = events.lazy.compactMap { received -> Heartbeat? in
            if case .heartbeat(let heartbeat) = received.event { return heartbeat }
            return nil
        }
        let records = resume.view.apply(heartbeats, clockMs: ResumeView.monotonicMilliseconds())
        do {
            try await resume.store.saveResumeWindows(records)
        } catch {
            logger.error("saving resume windows failed", metadata: ["windows": "\(records.count)", "error": "\(error)"])
        }
    }
}

extension Metrics.Timer {
    fileprivate func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
