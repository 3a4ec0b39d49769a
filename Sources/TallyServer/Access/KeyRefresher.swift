import Logging
import ServiceLifecycle
import TallyPipeline

/// Rereads the keys every `interval` and saves when keys were last used, so that `tally keys create` and
/// `revoke` reach every running server of the store within seconds. A failed read keeps the keys it had.
struct KeyRefresher: Service {
    let ring: KeyRing
    let store: any APIKeyStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            await refresh()
        }
    }

    func refresh() async {
        let uses = ring.takeUses()
        do {
            try await store.recordAPIKeyUse(uses)
        } catch {
            logger.warning("could not save when API keys were last used", metadata: ["error": "\(error)"])
        }
        do {
            ring.install(try await store.apiKeys())
        } catch {
            logger.warning("could not reread API keys; the last ones read stay in force", metadata: ["error": "\(error)"])
        }
    }
}
