import TallyCore

/// Where events become durable. Every backend (SQLite now, PostgreSQL later) implements this one contract, and the
/// contract tests run against each.
///
/// `append` is the only write: raw events and the derived state they produced (playback states, resume arrays) go
/// into one transaction, so once a store has opened after a crash its derived state matches the stored events. A
/// store may keep that state in a journal of its own and write its tables later (SQLite does); its reads answer
/// as if the tables were written.
public protocol EventStore: Sendable {
    /// Every persisted playback state, for tests and tools: the server never holds them all.
    func loadPlaybackStates() async throws -> [PlaybackKey: PlaybackState]
    /// The stored states of `keys` (absent keys are new), which the writer plans from when they are not in its hot
    /// set. Rows that cannot be used are quarantined and read as absent.
    func playbackStates(for keys: [PlaybackKey]) async throws -> [PlaybackKey: PlaybackState]
    /// Reads every stored state once without keeping any, quarantining those that cannot be used, so that `/health`
    /// reports them from the start; returns how many were usable (nil for a store that has nothing to check). Memory stays flat however many there are.
    func checkStoredPlaybackStates() async throws -> Int?
    /// Atomically appends the batch's events to the log, upserts its states, applies its session commits and
    /// counts its ad events. Throws `StoreError` and stores nothing on failure.
    ///
    /// Returns the playback states as committed: the batch's own plan for a store with a single writer (SQLite),
    /// or states re-derived inside the transaction from the committed ones for a store shared by several servers
    /// (PostgreSQL), which the writer then publishes instead of its plan.
    @discardableResult
    func append(_ batch: CommitBatch) async throws -> [PlaybackKey: PlaybackState]
    /// Does the work on a batch that needs no transaction (encoding, grouping) and keeps it in `staged` for
    /// `append`. The writer calls it while the previous batch commits, so the work leaves the commit's critical
    /// path. `append` must accept a batch that was not staged.
    func stage(_ batch: CommitBatch) -> CommitBatch
    /// True when `append` commits the batch's states exactly as planned (a store with one writer): the writer then
    /// plans the next batch while this one commits, which keeps the CPU busy while SQLite writes.
    var commitsAsPlanned: Bool { get }
    /// Counts stored raw events of a kind; for operators and tests, not for the hot path.
    func countEvents(_ kind: EventKind) async throws -> Int
    /// Throws when the store cannot serve (for `/health`).
    func checkHealth() async throws
    /// Commits a small write of its own (one row of `writeProbeBytes`) and throws if that fails: after a failed
    /// commit, `/health` uses it to tell a store that refuses writes (a full disk) from one that recovered.
    func checkWritable() async throws
    /// Flushes and closes; the store is unusable afterwards.
    func close() async throws
    /// Rows set aside because they could not be loaded (the total, and the latest `limit`), for `/health` and
    /// the start-up log.
    func quarantinedRows(limit: Int) async throws -> (count: Int, rows: [QuarantinedRow])
}

extension EventStore {
    /// A store is taken to re-derive what it commits unless it says otherwise: the writer then waits for each commit.
    public var commitsAsPlanned: Bool { false }

    /// Nothing to work out ahead: the batch as it is.
    public func stage(_ batch: CommitBatch) -> CommitBatch { batch }
}

/// The size of `checkWritable`'s row: about a batch of heartbeats, so a disk with room for a few bytes but not a
/// batch is not taken for writable.
package let writeProbeBytes = 64 * 1024

/// A stored row that could not be loaded and was set aside instead of stopping the server.
public struct QuarantinedRow: Hashable, Sendable {
    /// The table it came from.
    public var source: String
    /// Its primary key, as stored.
    public var key: String
    /// Which column was wrong, and how.
    public var reason: String

    package init(source: String, key: String, reason: String) {
        self.source = source
        self.key = key
        self.reason = reason
    }
}

/// Storage failures, mapped to `503` with a retryable error at the HTTP edge.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// What the store was doing ("reading 10 playback states").
    public var operation: String
    /// The driver's error, as text for the log and the 503's message.
    public var underlying: String

    /// Wraps a driver error with what was being done.
    public init(operation: String, underlying: any Error) {
        self.operation = operation
        self.underlying = String(describing: underlying)
    }

    /// For adapters whose errors need spelling out (PostgreSQL's hide the server message from `description`).
    public init(operation: String, reason: String) {
        self.operation = operation
        self.underlying = reason
    }

    public var description: String { "\(operation) failed: \(underlying)" }
}

extension EventKind {
    /// The table of the raw log of this kind, the same in every backend's schema.
    package var tableName: String {
        switch self {
        case .heartbeat: "heartbeats"
        case .watch: "watch_events"
        }
    }
}
