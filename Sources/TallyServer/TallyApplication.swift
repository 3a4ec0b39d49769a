import Hummingbird
import Logging
import Prometheus
import TallyCore
import TallyStore

/// Assembles the HTTP server: loads persisted state into memory, starts the group-commit writer as a service next
/// to the HTTP server, and registers every route. Shutdown order is the reverse of start: the server stops taking
/// requests and finishes in-flight ones, then the writer commits what is queued and closes the store.
public enum TallyApplication {
    public static func build(
        configuration: ServerConfiguration,
        store: any EventStore,
        registry: PrometheusCollectorRegistry,
        clock: WallClock = .system,
        logger: Logger
    ) async throws -> some ApplicationProtocol {
        let states = try await store.loadPlaybackStates()
        logger.info("loaded playback state", metadata: ["keys": "\(states.count)"])
        let view = PlaybackView(rules: configuration.rules, states: states)
        let writer = PlaybackWriter(store: store, view: view, configuration: configuration.writer, logger: logger)

        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(MetricsMiddleware())
        router.middlewares.add(JSONErrorMiddleware())
        IngestRoutes(
            writer: writer, body: RequestBody(maxBytes: configuration.maxBodyBytes), limits: configuration.limits,
            clock: clock
        ).register(on: router)
        PlaybackQueryRoutes(view: view).register(on: router)
        OperationsRoutes(store: store, registry: registry).register(on: router)

        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "tally"),
            services: [writer],
            logger: logger)
    }
}
