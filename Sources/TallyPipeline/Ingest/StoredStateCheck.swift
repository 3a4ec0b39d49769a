import Logging
import ServiceLifecycle

/// Reads every stored playback state once after start, keeping none, and quarantines the rows that cannot be used,
/// so that `/health` reports a damaged store without waiting for the writer to meet each bad row.
///
/// It runs beside the server instead of before it: the store is the source of truth and a bad row already reads
/// as absent, so nothing waits on the check, and start-up time stays flat however many keys are stored.
public struct StoredStateCheck: Service {
    let store: any EventStore
    let logger: Logger

    /// A check of `store`'s playback rows, logging what it quarantines.
    public init(store: any EventStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Reads the rows once and returns; a failure is logged, not fatal, since the writer meets bad rows anyway.
    public func run() async throws {
        let started = ContinuousClock.now
        do {
            let checked = try await cancelWhenGracefulShutdown { try await store.checkStoredPlaybackStates() }
            if let checked {
                logger.info(
                    "checked stored playback state",
                    metadata: [
                        "keys": "\(checked)", "took": "\(ContinuousClock.now - started)",
                    ])
            }
        } catch {
            if Task.isShuttingDownGracefully { return }
            // The writer quarantines what it meets; a failed check must not take the server down with it.
            logger.warning("could not check stored playback state", metadata: ["error": "\(error)"])
        }
        // Returning would end the service group, and with it the server.
        try? await gracefulShutdown()
    }
}
