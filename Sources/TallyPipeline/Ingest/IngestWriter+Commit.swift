import Logging
import Metrics
import TallyCore

extension IngestWriter {
    /// One batch: plan playback and sessions, commit once, publish, answer.
    func commit(_ batch: [CommitQueue.Request]) async {
        var events: [ReceivedEvent] = []
        var ads: [AdEvent] = []
        var sessionRequests: [(index: Int, id: String, message: SessionMessage, receivedAt: Timestamp)] = []
        for (index, request) in batch.enumerated() {
            switch request.payload {
            case .playback(let received): events += received
            case .session(let id, let message, let receivedAt): sessionRequests.append((index, id, message, receivedAt))
            case .ads(let received): ads += received
            }
        }
        var receipts = [Result<IngestReceipt, any Error>?](repeating: nil, count: batch.count)
        var sessionPlan = SessionBatchPlan()
        if !sessionRequests.isEmpty {
            do {
                sessionPlan = try await planSessions(sessionRequests)
            } catch {
                for request in sessionRequests { receipts[request.index] = .failure(error) }
            }
            for (index, outcome) in sessionPlan.outcomes { receipts[index] = outcome.map { .session($0) }.mapError { $0 } }
        }
        let started = ContinuousClock.now
        let loaded: [PlaybackKey: PlaybackState]
        let changes: [PlaybackKey: PlaybackState]
        let heartbeats = resume == nil ? [] : events.compactMap(\.event.heartbeat)
        var resumeWindows: [ResumeRecord] = []
        var staged = false
        do {
            loaded = try await store.playbackStates(for: hotSet.missing(Set(events.map(\.event.key))))
            let planned = hotSet.plan(events, loaded: loaded, with: processor)
            staged = true
            resumeWindows = resume?.view.stage(heartbeats, clockMs: ResumeView.monotonicMilliseconds()) ?? []
            changes = try await store.append(
                CommitBatch(
                    events: events, states: planned.states, previous: planned.previous, rules: processor.rules,
                    resumeWindows: resumeWindows, sessions: sessionPlan.commits, ads: ads))
        } catch {
            if staged, !heartbeats.isEmpty { await restoreResume() }
            health.commitFailed(error)
            commitFailures.increment()
            logger.error("commit failed", metadata: ["events": "\(events.count + ads.count)", "error": "\(error)"])
            for (index, request) in batch.enumerated() {
                if case .failure(let refused)? = receipts[index] { request.fail(refused) } else { request.fail(error) }
            }
            return
        }
        health.commitSucceeded()
        hotSet.install(loaded.merging(changes) { $1 })
        sessions?.view.install(sessionPlan.commits.map(\.header))
        if let publisher, !events.isEmpty || !ads.isEmpty {
            do {
                try await publisher.publish(events, ads: ads)
            } catch {
                logger.error("publishing failed", metadata: ["events": "\(events.count + ads.count)", "error": "\(error)"])
                let failure = PublishError(reason: "\(error)")
                for (index, request) in batch.enumerated() {
                    switch request.payload {
                    case .playback, .ads: receipts[index] = .failure(failure)
                    case .session: break
                    }
                }
            }
        }
        resume?.view.publish(resumeWindows)
        commitLatency.recordInterval(since: started)
        batchSize.record(batch.reduce(0) { $0 + $1.payload.weight })
        for (index, request) in batch.enumerated() {
            switch receipts[index] {
            case .failure(let error)?: request.fail(error)
            case .success(let receipt)?: request.succeed(receipt)
            case nil: request.succeed(.stored)
            }
        }
    }

    /// The resume view staged heartbeats that were not committed: rebuilds it from what the store has.
    private func restoreResume() async {
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
