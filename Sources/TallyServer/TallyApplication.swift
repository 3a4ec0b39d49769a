import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import Prometheus
import ServiceLifecycle
import TallyCore
import TallyPipeline

/// Assembles the HTTP server: restores the resume windows, starts the group-commit writer and the stored-state
/// check as services next to the HTTP server, and registers every route. Shutdown order is the reverse of start:
/// the server stops taking requests and finishes in-flight ones, the check stops, then the writer commits what is
/// queued; whoever opened the store closes it after that.
public enum TallyApplication {
    /// The application, ready to run in a service group. Reads the store first (keys, quarantined rows, the resume
    /// windows to replay), so the store must be open, and on PostgreSQL its pool running, before this is called.
    public static func build(
        configuration: ServerConfiguration,
        store: any TallyStorage,
        registry: PrometheusCollectorRegistry,
        publisher: (any EventPublisher)? = nil,
        clock: WallClock = .system,
        logger: Logger
    ) async throws -> some ApplicationProtocol {
        let parts = try await assemble(
            configuration: configuration, store: store, registry: registry, publisher: publisher, clock: clock, logger: logger)
        return Application(
            router: parts.router,
            server: try serverBuilder(
                configuration: configuration, upgradeGate: UpgradeGate(check: parts.check, browser: configuration.browser),
                webSocketResponder: parts.webSockets.buildResponder()),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "tally"),
            services: parts.services,
            logger: logger)
    }

    /// The routers, their key check and the services beside them, before they become an application.
    struct Parts {
        let router: Router<TallyRequestContext>
        let webSockets: Router<BasicWebSocketRequestContext>
        let check: AccessCheck?
        let services: [any Service]
    }

    /// Restores state, builds the writer and every route: what `build` serves, and what tests hold the OpenAPI
    /// document against.
    static func assemble(
        configuration: ServerConfiguration, store: any TallyStorage, registry: PrometheusCollectorRegistry,
        publisher: (any EventPublisher)?, clock: WallClock, logger: Logger
    ) async throws -> Parts {
        let hotSet = PlaybackHotSet(rules: configuration.rules, capacity: configuration.playbackHotKeys)
        let resume = try await restoreResume(configuration: configuration, store: store, clock: clock, logger: logger)
        let quarantine = try await store.quarantinedRows(limit: 10)
        for row in quarantine.rows {
            logger.warning("stored row quarantined", metadata: ["table": "\(row.source)", "key": "\(row.key)", "reason": "\(row.reason)"])
        }
        if quarantine.count > 0 {
            logger.warning("rows that could not be loaded are in the quarantine table", metadata: ["rows": "\(quarantine.count)"])
        }
        let sessions = SessionsView(limits: configuration.sessionLimits, abandonAfter: configuration.sessionTimeout)
        let writer = IngestWriter(
            store: store, hotSet: hotSet, configuration: configuration.writer, resume: (resume, store),
            sessions: (sessions, store), publisher: publisher,
            stats: IngestStats(clock: { clock.now().millisecondsSinceEpoch }), logger: logger)
        let ticker = ResumeTicker(
            view: resume, store: store, retention: configuration.resumeRetention,
            clock: ResumeView.monotonicMilliseconds, logger: logger)

        let router = Router(context: TallyRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.middlewares.add(MetricsMiddleware())
        router.middlewares.add(BrowserMiddleware(policy: configuration.browser))
        router.middlewares.add(JSONErrorMiddleware(stats: writer.stats))
        let webSockets = Router(context: BasicWebSocketRequestContext.self)
        var services: [any Service] = [writer, ticker, StoredStateCheck(store: store, logger: logger)]
        var check: AccessCheck?
        if configuration.access.mode == .required {
            // Keys are read before the first request is served, then kept fresh beside the server.
            let ring = KeyRing()
            ring.install(try await store.apiKeys())
            let keyCheck = AccessCheck(ring: ring, clock: clock)
            router.middlewares.add(AuthMiddleware(check: keyCheck))
            check = keyCheck
            services.append(KeyRefresher(ring: ring, store: store, interval: configuration.access.refreshInterval, logger: logger))
        }
        let rates = configuration.rateLimits
        if rates.isEnabled {
            router.middlewares.add(
                RateLimitMiddleware(
                    byKey: .init(
                        writes: rates.perKeyWrites.map { RateLimiter(limit: $0) }, reads: rates.perKeyReads.map { RateLimiter(limit: $0) }),
                    byAddress: .init(
                        writes: rates.perAddressWrites.map { RateLimiter(limit: $0) },
                        reads: rates.perAddressReads.map { RateLimiter(limit: $0) }),
                    clientAddress: ClientAddress(trustedProxies: rates.trustedProxies), clock: clock))
        }
        let routes = RouteTable()
        router.middlewares.add(MethodMiddleware(routes: routes))
        IngestRoutes(
            writer: writer, body: RequestBody(maxBytes: configuration.maxBodyBytes), limits: configuration.limits,
            clock: clock, skew: ClockSkewGuard(maxAhead: configuration.maxClockSkew)
        ).register(on: router)
        PlaybackQueryRoutes(reader: store, rules: configuration.rules, limits: configuration.limits).register(on: router)
        TopContentRoutes(
            log: store, rules: configuration.rules, clock: clock, maxHeartbeats: configuration.topContentMaxHeartbeats,
            gate: ConcurrencyGate(limit: configuration.topContentConcurrency)
        )
        .register(on: router)
        ResumeRoutes(view: resume, store: store, limits: configuration.limits, streamBufferBytes: configuration.resumeStreamBufferBytes)
            .register(on: router)
        let sessionIngest = SessionIngest(writer: writer, limits: configuration.sessionLimits, clock: clock)
        SessionRoutes(
            ingest: sessionIngest, view: sessions, store: store, clock: clock,
            renders: SessionRenderCache(maxBytes: configuration.sessionRenderCacheBytes)
        ).register(on: router)
        SessionWebSocket(ingest: sessionIngest).register(on: webSockets)
        AnalyticsRoutes(
            writer: writer, store: store, parser: AdQueryParser(limits: configuration.limits),
            skew: ClockSkewGuard(maxAhead: configuration.maxClockSkew), clock: clock
        ).register(on: router)
        OperationsRoutes(store: store, writes: writer.health, stats: writer.stats, registry: registry).register(on: router)
        DashboardRoutes().register(on: router)
        routes.load(from: router)
        return Parts(router: router, webSockets: webSockets, check: check, services: services)
    }

    /// Rebuilds the open resume windows after a restart from the stored log and windows.
    static func restoreResume(
        configuration: ServerConfiguration, store: any TallyStorage, clock: WallClock, logger: Logger
    ) async throws -> ResumeView {
        let resume = ResumeView(configuration: configuration.resume, retention: configuration.resumeRetention)
        let restored = try await resume.restore(from: store)
        if let from = restored.replayedFrom {
            logger.info(
                "restored resume windows",
                metadata: ["replayed_from": "\(from)", "events": "\(restored.events)", "arrays": "\(restored.arrays)"])
        }
        return resume
    }
}
