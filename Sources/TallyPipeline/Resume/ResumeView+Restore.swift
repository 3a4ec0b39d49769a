import Synchronization
import TallyCore

extension ResumeView {
    /// What a restore did, for its log line.
    public struct Restored: Sendable {
        /// Where the replay started (nil: nothing stored, nothing replayed).
        public var replayedFrom: Timestamp?
        /// Heartbeats replayed.
        public var events: Int
        /// Arrays the replay emitted and saved again.
        public var arrays: Int
    }

    /// Rebuilds the resume windows from the store: the closed windows still open to revision (within the
    /// retention) from their stored arrays, the open ones by replaying the heartbeats the stored windows do not cover
    /// yet (which also re-derives and saves any array that was not saved); then puts the rebuilt processor in place.
    /// Run at start-up, and by the writer after a failed commit: the view had staged heartbeats the store never
    /// got, and the committed log is the only state that is known to be right. Closed windows stay in the store,
    /// which answers for them. Subscribers are not sent the replayed arrays (they had them, or will get them from
    /// the next change).
    public func restore(from store: any ResumeWindowStore) async throws -> Restored {
        guard let newest = try await store.latestHeartbeatTime() else {
            install(ResumeWindowProcessor(configuration: configuration))
            return Restored(replayedFrom: nil, events: 0, arrays: 0)
        }
        // Retention counts in event time (back from the newest heartbeat), so replays of old data are kept too.
        let horizon = Timestamp(millisecondsSinceEpoch: newest.millisecondsSinceEpoch - retention.milliseconds)
        let lastEnd = try await store.lastResumeWindowEnd()
        let replayFrom = lastEnd ?? horizon
        let rebuilt = Mutex((processor: ResumeWindowProcessor(configuration: configuration), records: [ResumeRecord]()))
        if configuration.late == .emit, let lastEnd {
            // Closed windows the processor would still revise: without them, a late heartbeat would start its
            // user's array afresh, and its revision would replace the stored array.
            let revisable = Timestamp(millisecondsSinceEpoch: lastEnd.millisecondsSinceEpoch - configuration.retention.milliseconds)
            try await store.storedResumeWindows(startingFrom: configuration.window.window(containing: revisable).start) { records in
                rebuilt.withLock { state in
                    for record in records {
                        guard let points = ResumePoint.points(fromStoredArray: record.json) else { continue }
                        state.processor.restoreClosed(record.window, user: record.userId, points: points, revision: record.revision)
                    }
                }
            }
        }
        try await store.replayHeartbeats(from: replayFrom) { batch in
            rebuilt.withLock { state in
                var outputs: [ResumeWindowOutput] = []
                for heartbeat in batch { state.processor.apply(heartbeat, into: &outputs) }
                state.records += outputs.map(ResumeRecord.init)
            }
        }
        let (processor, records) = rebuilt.withLock { ($0.processor, $0.records) }
        try await store.saveResumeWindows(records)
        install(processor)
        return Restored(replayedFrom: replayFrom, events: processor.statistics.events, arrays: records.count)
    }
}
