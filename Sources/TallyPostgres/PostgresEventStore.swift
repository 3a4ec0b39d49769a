import Logging
import PostgresNIO
import TallyCore
import TallyPipeline

/// The shared backend: every Tally server pointed at one PostgreSQL database reads and writes the same state.
///
/// Unlike the SQLite store, which trusts the single writer's in-memory plan, this store re-derives the playback
/// states of a batch inside the transaction, after taking a transaction-scoped advisory lock per touched
/// `(user, content)` key (in hash order, so concurrent batches cannot deadlock). Two servers updating one key
/// therefore serialize, and the second plans from the first's committed state: no lost updates. Ad counters
/// are additive upserts and distinct users are a primary key, so they need no locks of their own.
package final class PostgresEventStore: EventStore {
    let client: PostgresClient
    let schema: String
    let logger: Logger
    let operationTimeout: Duration

    /// A store over a new connection pool that `run()` runs; `open` (in `PostgresStores`) runs it and migrates.
    init(settings: PostgresSettings, logger: Logger) {
        self.client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: logger)
        self.schema = settings.schema
        self.logger = logger
        self.operationTimeout = settings.operationTimeout
    }

    /// Runs the connection pool until the task is cancelled. Every query waits for it.
    func run() async {
        await client.run()
    }

    /// Runs pending migrations (under an advisory lock, so servers starting together migrate once), within
    /// `connectTimeout`: an unreachable database fails start-up instead of hanging it.
    func migrate(connectTimeout: Duration, host: String, port: Int) async throws {
        do {
            try await Self.within(connectTimeout) { [client, schema, logger] in
                try await PostgresSchema.migrate(client, schema: schema, logger: logger)
            }
        } catch {
            throw StoreError(operation: "migrating PostgreSQL schema \(schema) at \(host):\(port)", reason: Self.describe(error))
        }
    }

    var s: String { schema }

    package func loadPlaybackStates() async throws -> [PlaybackKey: PlaybackState] {
        try await performUnbounded("loading playback state") {
            try await withoutStatementTimeout { connection in try await loadPlaybackStates(on: connection) }
        }
    }

    private func loadPlaybackStates(on connection: PostgresConnection) async throws -> [PlaybackKey: PlaybackState] {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: StoredTables.playbackState.columnList)
            FROM \(unescaped: s).playback_state
            """, logger: logger)
        var states: [PlaybackKey: PlaybackState] = [:]
        for try await row in rows.decode(PlaybackRow.self) { states[Self.key(row)] = Self.state(row) }
        return states
    }

    @discardableResult
    package func append(_ batch: CommitBatch) async throws -> [PlaybackKey: PlaybackState] {
        try await perform("appending \(batch.events.count + batch.ads.count) events") { [self] in
            try await withRetries {
                // Ad events alone are one statement, atomic by itself: one round trip, no BEGIN/COMMIT.
                if batch.events.isEmpty, batch.sessions.isEmpty {
                    try await client.withConnection { try await writeAds(batch.ads, on: $0) }
                    return [:]
                }
                return try await client.withTransaction(logger: logger) { connection in
                    let states = try await writePlayback(batch.events, rules: batch.rules, on: connection)
                    try await writeAds(batch.ads, on: connection)
                    try await writeResumeWindows(batch.resumeWindows, on: connection)
                    try await writeSessions(batch.sessions, on: connection)
                    return states
                }
            }
        }
    }

    package func countEvents(_ kind: EventKind) async throws -> Int {
        let table = kind.tableName
        return try await perform("counting \(table)") { [self] in
            let rows = try await client.query("SELECT count(*) FROM \(unescaped: s).\(unescaped: table)", logger: logger)
            for try await count in rows.decode(Int64.self) { return Int(count) }
            return 0
        }
    }

    package func checkHealth() async throws {
        try await perform("health check") { [self] in
            try await client.query("SELECT 1", logger: logger)
        }
    }

    package func checkWritable() async throws {
        try await perform("write check") { [self] in
            try await client.query(
                """
                INSERT INTO \(unescaped: s).health_probe (id, payload) VALUES (1, decode(repeat('00', \(writeProbeBytes)), 'hex'))
                ON CONFLICT (id) DO UPDATE SET payload = excluded.payload
                """, logger: logger)
        }
    }

    /// Always empty: PostgreSQL's column types refuse what SQLite lets through (text in an integer column, a NUL
    /// in text), and values out of range are handled by the processors' checked arithmetic.
    package func quarantinedRows(limit: Int) async throws -> (count: Int, rows: [QuarantinedRow]) { (0, []) }

    /// Nothing to flush: every write is committed before it returns. The pool stops with the `PostgresStores`
    /// scope that opened the store.
    package func close() async throws {}

    /// Runs one store operation within `operationTimeout`: a database that is down or unreachable costs a request
    /// about that long, not the pool's minute of reconnecting before it gives up.
    @discardableResult
    func perform<T: Sendable>(_ operation: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await performUnbounded(operation) { try await Self.within(operationTimeout, body) }
    }

    /// For the start-up reads that stream whole tables: no deadline, and no `statement_timeout` (see
    /// `withoutStatementTimeout`).
    func performUnbounded<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(operation: operation, reason: Self.describe(error))
        }
    }

    /// Runs `body` in a transaction whose statements may take as long as they need.
    func withoutStatementTimeout<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SET LOCAL statement_timeout = 0", logger: logger)
            return try await body(connection)
        }
    }

    struct Timeout: Error, CustomStringConvertible {
        var limit: Duration
        var description: String { "no answer from the database within \(limit)" }
    }

    /// Runs `body`, or throws `Timeout` if it has not finished after `limit`. Waiting for a pooled connection ends
    /// on cancellation; a statement already sent is bounded by the server's `statement_timeout` instead.
    static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw Timeout(limit: limit)
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw Timeout(limit: limit) }
            return value
        }
    }

    /// Retries a transaction that PostgreSQL aborted as a deadlock victim or a serialization failure; nothing of
    /// it was committed, so running it again is safe.
    private func withRetries<T>(_ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as PSQLError where attempt < 3 && ["40001", "40P01"].contains(error.serverInfo?[.sqlState] ?? "") {
                logger.warning(
                    "retrying a transaction", metadata: ["attempt": "\(attempt)", "sqlstate": "\(error.serverInfo?[.sqlState] ?? "")"])
                attempt += 1
            }
        }
    }

    /// PSQLError hides the server's message from `description` (it may hold data); the store's errors are logged
    /// by operators, so the SQLSTATE and message are spelled out.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let info = error.serverInfo {
            return "PostgreSQL \(info[.sqlState] ?? "?"): \(info[.message] ?? "")"
        }
        return "PostgreSQL client error \(error.code)"
    }
}
