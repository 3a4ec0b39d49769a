import Logging
import TallyCore

/// A scope for PostgreSQL stores: its child tasks run their connection pools, so no pool outlives the code that
/// uses it, and every pool stops when the scope ends, however it ends.
///
/// Why a scope and not a service of the service group: `tally serve` reads the store before its services start
/// (keys, the resume windows to replay) and its writer commits the last batch after the other services stopped,
/// so the pool must start before the group and stop after it. A service inside the group starts alongside the
/// others and could not promise either.
package struct PostgresStores: Sendable {
    private let pools: AsyncStream<PostgresEventStore>.Continuation

    /// Runs `body` with a scope to open stores in; when `body` returns or throws, every store's pool stops.
    @discardableResult
    package static func withStores<T>(_ body: (PostgresStores) async throws -> T) async throws -> T {
        let (stores, pools) = AsyncStream.makeStream(of: PostgresEventStore.self)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await withDiscardingTaskGroup { running in
                    for await store in stores { running.addTask { await store.run() } }
                }
            }
            defer {
                pools.finish()
                group.cancelAll()
            }
            return try await body(PostgresStores(pools: pools))
        }
    }

    /// Connects and migrates a store (within `settings.connectTimeout`); its pool runs until the scope ends.
    package func open(settings: PostgresSettings, logger: Logger) async throws -> PostgresEventStore {
        let store = PostgresEventStore(settings: settings, logger: logger)
        pools.yield(store)
        try await store.migrate(connectTimeout: settings.connectTimeout, host: settings.host, port: settings.port)
        return store
    }
}
