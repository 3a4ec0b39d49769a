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
        do {
            loaded = try await store.playbackStates(for: hotSet.missing(Set(events.map(\.event.key))))
            let planned = hotSet.plan(events, loaded: loaded, with: processor)
            changes = try await store.append(
                CommitBatch(
                    events: events, states: planned.states, previous: planned.previous, rules: processor.rules,
                    sessions: sessionPlan.commits, ads: ads))
        } catch {
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
        commitLatency.recordInterval(since: started)
        batchSize.record(batch.reduce(0) { $0 + $1.payload.weight })
        // Before answering: a client that got its 2xx must read the resume windows its heartbeats closed, so a
        // `GET …/resume` right after the POST cannot race the update and get a 404.
        await feedResume(events)
        for (index, request) in batch.enumerated() {
            switch receipts[index] {
            case .failure(let error)?: request.fail(error)
            case .success(let receipt)?: request.succeed(receipt)
            case nil: request.succeed(.stored)
            }
        }
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
