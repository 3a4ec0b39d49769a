import Logging
import Metrics
import TallyCore

/// One batch planned and staged, waiting for its commit.
struct PreparedBatch: Sendable {
    var requests: [CommitQueue.Request]
    var receipts: [Result<IngestReceipt, any Error>?]
    var events: [ReceivedEvent] = []
    var ads: [AdEvent] = []
    var sessionPlan = SessionBatchPlan()
    var loaded: [PlaybackKey: PlaybackState] = [:]
    var planned: (states: [PlaybackKey: PlaybackState], previous: [PlaybackKey: PlaybackState]) = ([:], [:])
    var resumeWindows: [ResumeRecord] = []
    /// What the store commits, staged by it.
    var commit = CommitBatch()
    /// Why planning failed (the store could not be read); the batch is then refused without a commit.
    var failure: (any Error)?
    let started = ContinuousClock.now
}

extension IngestWriter {
    /// Plans and stages one batch: sessions, playback states (installed in the hot set at once when the store
    /// commits plans as they are, so the next batch plans on top of them), and resume windows.
    func prepare(_ batch: [CommitQueue.Request]) async -> PreparedBatch {
        var prepared = PreparedBatch(requests: batch, receipts: Array(repeating: nil, count: batch.count))
        var sessionRequests: [(index: Int, id: String, message: SessionMessage, receivedAt: Timestamp)] = []
        for (index, request) in batch.enumerated() {
            switch request.payload {
            case .playback(let received): prepared.events += received
            case .session(let id, let message, let receivedAt): sessionRequests.append((index, id, message, receivedAt))
            case .ads(let received): prepared.ads += received
            }
        }
        if !sessionRequests.isEmpty {
            do {
                prepared.sessionPlan = try await planSessions(sessionRequests)
            } catch {
                for request in sessionRequests { prepared.receipts[request.index] = .failure(error) }
            }
            for (index, outcome) in prepared.sessionPlan.outcomes {
                prepared.receipts[index] = outcome.map { .session($0) }.mapError { $0 }
            }
        }
        do {
            prepared.loaded = try await store.playbackStates(for: hotSet.missing(Set(prepared.events.map(\.key))))
        } catch {
            prepared.failure = error
            return prepared
        }
        prepared.planned = hotSet.plan(prepared.events, loaded: prepared.loaded, with: processor)
        if store.commitsAsPlanned {
            hotSet.install(prepared.loaded)
            hotSet.install(prepared.planned.states)
        }
        if let resume {
            let heartbeats = prepared.events.compactMap(\.event.heartbeat)
            prepared.resumeWindows = resume.view.stage(heartbeats, clockMs: ResumeView.monotonicMilliseconds())
        }
        prepared.commit = store.stage(
            CommitBatch(
                events: prepared.events, states: prepared.planned.states, previous: prepared.planned.previous,
                rules: processor.rules, resumeWindows: prepared.resumeWindows, sessions: prepared.sessionPlan.commits,
                ads: prepared.ads))
        return prepared
    }

    /// Commits a prepared batch, publishes it, and answers its requests. Returns false when the commit failed
    /// after the batch was staged: the hot set and resume view then hold state the store does not, and the caller
    /// `recover`s before it plans again.
    func finish(_ prepared: PreparedBatch) async -> Bool {
        var receipts = prepared.receipts
        let changes: [PlaybackKey: PlaybackState]
        do {
            if let failure = prepared.failure { throw failure }
            changes = try await store.append(prepared.commit)
        } catch {
            health.commitFailed(error)
            commitFailures.increment()
            logger.error(
                "commit failed", metadata: ["events": "\(prepared.events.count + prepared.ads.count)", "error": "\(error)"])
            for (index, request) in prepared.requests.enumerated() {
                if case .failure(let refused)? = receipts[index] { request.fail(refused) } else { request.fail(error) }
            }
            let nothingStaged = prepared.failure != nil
            return nothingStaged
        }
        health.commitSucceeded()
        if !store.commitsAsPlanned {
            hotSet.install(prepared.loaded)
            hotSet.install(changes)
        }
        sessions?.view.install(prepared.sessionPlan.commits.map(\.header))
        if let publisher, !prepared.events.isEmpty || !prepared.ads.isEmpty {
            do {
                try await publisher.publish(prepared.events, ads: prepared.ads)
            } catch {
                logger.error(
                    "publishing failed", metadata: ["events": "\(prepared.events.count + prepared.ads.count)", "error": "\(error)"])
                let failure = PublishError(reason: "\(error)")
                for (index, request) in prepared.requests.enumerated() {
                    switch request.payload {
                    case .playback, .ads: receipts[index] = .failure(failure)
                    case .session: break
                    }
                }
            }
        }
        resume?.view.publish(prepared.resumeWindows)
        let heartbeats = prepared.events.reduce(0) { $0 + ($1.event.heartbeat == nil ? 0 : 1) }
        let sessionEntries = prepared.sessionPlan.outcomes.reduce(0) { total, outcome in
            if case .success(let ack) = outcome.outcome { return total + ack.accepted }
            return total
        }
        stats.recordCommit(
            heartbeats: heartbeats, watches: prepared.events.count - heartbeats, ads: prepared.ads.count, sessionEntries: sessionEntries)
        commitLatency.recordInterval(since: prepared.started)
        batchSize.record(prepared.requests.reduce(0) { $0 + $1.payload.weight })
        for (index, request) in prepared.requests.enumerated() {
            switch receipts[index] {
            case .failure(let error)?: request.fail(error)
            case .success(let receipt)?: request.succeed(receipt)
            case nil: request.succeed(.stored)
            }
        }
        return true
    }

    /// A staged batch did not commit: forgets the hot states (the store has the truth; keys are read again as
    /// needed) and rebuilds the resume view from what the store has.
    func recover() async {
        hotSet.removeAll()
        guard let resume else { return }
        do {
            _ = try await resume.view.restore(from: resume.store)
            logger.warning("resume windows rebuilt from the store after a failed commit")
        } catch {
            logger.error("rebuilding the resume windows failed", metadata: ["error": "\(error)"])
        }
    }
}

extension Metrics.Timer {
    fileprivate func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
