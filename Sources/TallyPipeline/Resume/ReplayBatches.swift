import TallyCore

/// The one replay loop of every engine: heartbeats read from the log go to the consumer in batches of
/// `size`, so a replay of any length holds one batch in memory and the consumer's lock is taken once per batch.
package struct ReplayBatches {
    package static let size = 10_000
    private var batch: [Heartbeat] = []

    package init() {
        batch.reserveCapacity(Self.size)
    }

    /// Adds `heartbeat`; hands a full batch to `body`.
    package mutating func append(_ heartbeat: Heartbeat, to body: ([Heartbeat]) -> Void) {
        batch.append(heartbeat)
        if batch.count == Self.size {
            body(batch)
            batch.removeAll(keepingCapacity: true)
        }
    }

    /// Hands the last, partial batch to `body`.
    package mutating func finish(to body: ([Heartbeat]) -> Void) {
        if !batch.isEmpty { body(batch) }
        batch.removeAll()
    }
}
