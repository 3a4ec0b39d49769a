import Logging
import Metrics
import ServiceLifecycle
import TallyCore

/// The single writer: takes queued requests in batches, checks and applies them to staging copies of the state
/// they touch, commits raw events and derived state in one transaction, publishes the new state, then answers every
/// request of the batch.
///
/// On graceful shutdown it stops taking new requests and commits everything already queued; whoever opened the store
/// closes it after the writer stopped.
public struct IngestWriter: Service {
    /// Where requests wait for the writer.
    public let queue: CommitQueue
    /// Where batches are committed.
    public let store: any EventStore
    /// The states it planned from recently; the store holds them all.
    public let hotSet: PlaybackHotSet
    /// Batch size, delay and back-pressure bound.
    public let configuration: WriterConfiguration
    /// Updated by every commit, for `/health`.
    public let health = WriteHealth()
    /// Events committed per second by kind, and commit sizes, for `/stats/ingest`.
    public let stats: IngestStats
    let processor: PlaybackProcessor
    let resume: (view: ResumeView, store: any ResumeWindowStore)?
    let sessions: (view: SessionsView, store: any SessionStore)?
    let publisher: (any EventPublisher)?
    let logger: Logger
    let batchSize = Recorder(label: "tally_commit_batch_events", aggregate: true)
    let commitLatency = Metrics.Timer(label: "tally_commit_duration_seconds", preferredDisplayUnit: .seconds)
    let commitFailures = Counter(label: "tally_commit_failures_total")

    /// - Parameters:
    ///   - resume: when set, committed heartbeats also feed the resume-position windows, and the arrays they
    ///     complete are saved to its store.
    ///   - sessions: when set, session messages are accepted.
    ///   - publisher: when set, every committed batch's events are also published before the acknowledgements.
    public init(
        store: any EventStore, hotSet: PlaybackHotSet, configuration: WriterConfiguration,
        resume: (view: ResumeView, store: any ResumeWindowStore)? = nil,
        sessions: (view: SessionsView, store: any SessionStore)? = nil,
        publisher: (any EventPublisher)? = nil, stats: IngestStats = IngestStats(), logger: Logger
    ) {
        self.stats = stats
        self.queue = CommitQueue(maxPendingEvents: configuration.maxPendingEvents)
        self.store = store
        self.hotSet = hotSet
        self.configuration = configuration
        self.processor = PlaybackProcessor(rules: hotSet.rules)
        self.resume = resume
        self.sessions = sessions
        self.publisher = publisher
        self.logger = logger
    }

    /// Hands playback events to the writer; returns when they are durable and visible to queries.
    public func submit(_ events: [ReceivedEvent]) async throws {
        _ = try await queue.submit(.playback(events))
    }

    /// Hands ad events to the writer; returns when they are durable and counted.
    public func submit(ads: [AdEvent]) async throws {
        _ = try await queue.submit(.ads(ads))
    }

    /// Hands one session message to the writer; returns its acknowledgement once durable, or throws the
    /// `SessionError` that refused it.
    public func submit(session id: String, message: SessionMessage, receivedAt: Timestamp) async throws -> SessionAck {
        guard case .session(let ack) = try await queue.submit(.session(id: id, message: message, receivedAt: receivedAt)) else {
            preconditionFailure("a session message is answered with a session receipt")
        }
        return ack
    }

    /// Commits batches until a graceful shutdown or cancellation, then commits what is still queued.
    public func run() async throws {
        // A graceful shutdown drains the queue; so does cancellation, which is how the service group stops the
        // writer when another service fails (the HTTP server cannot bind its port); it would otherwise wait forever
        // for requests that cannot come.
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await commitBatches()
            } onGracefulShutdown: {
                queue.finish()
            }
        } onCancel: {
            queue.finish()
        }
        if let publisher {
            logger.info("writer drained; flushing the publisher")
            await publisher.close()
        }
        logger.info("writer drained")
    }

    /// Commits batch after batch, in queue order. With a store that commits plans as they are, the next batch is
    /// planned while the previous one commits, on the other core; a batch with session
    /// messages waits, since its plan reads what the previous commit writes. When a commit fails, the batch
    /// planned on top of it is planned again from the store.
    private func commitBatches() async {
        var inFlight: Task<Bool, Never>?
        while let batch = await nextBatch() {
            if let commit = inFlight, !store.commitsAsPlanned || batch.contains(where: \.isSession) {
                inFlight = nil
                if await !commit.value { await recover() }
            }
            var prepared = await prepare(batch)
            if let commit = inFlight, await !commit.value {
                await recover()
                prepared = await prepare(batch)
            }
            let ready = prepared
            inFlight = Task { await finish(ready) }
        }
        if let commit = inFlight, await !commit.value { await recover() }
    }

    private func nextBatch() async -> [CommitQueue.Request]? {
        guard var batch = await queue.take(maxEvents: configuration.maxBatchEvents) else { return nil }
        guard configuration.commitDelay > .zero else { return batch }
        var count = batch.reduce(0) { $0 + $1.payload.weight }
        let deadline = ContinuousClock.now + configuration.commitDelay
        while count < configuration.maxBatchEvents, queue.pendingEvents > 0 || ContinuousClock.now < deadline {
            if queue.pendingEvents == 0 {
                try? await Task.sleep(until: deadline, tolerance: .microseconds(100), clock: .continuous)
                if queue.pendingEvents == 0 { break }
            }
            guard let more = await queue.take(maxEvents: configuration.maxBatchEvents - count) else { break }
            count += more.reduce(0) { $0 + $1.payload.weight }
            batch += more
        }
        return batch
    }
}
