import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import TallyCore
import TallyPipeline
import TallyServer

/// `tally serve`: the HTTP server on the embedded SQLite store, or on PostgreSQL shared by several servers.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Tally HTTP server (embedded SQLite store under --data-dir, or PostgreSQL with --postgres).",
        discussion: "Every option can also be set with the TALLY_* environment variable named in its help."
    )

    @Option(help: ServeSettings.host.help)
    var host: String?

    @Option(help: ServeSettings.port.help)
    var port: Int?

    @OptionGroup(title: "Access")
    var access: AccessOptions

    @OptionGroup(title: "Store")
    var store: StoreOptions

    @Option(help: ServeSettings.kafkaBrokers.help)
    var kafkaBrokers: String?

    @Option(help: ServeSettings.publish.help)
    var publish: PublishTopics?

    @Option(help: ServeSettings.kafkaDeliveryTimeout.help)
    var kafkaDeliveryTimeout: DurationArgument?

    @Option(
        name: .customShort("X"),
        help: "A librdkafka setting KEY=VALUE for the publishing producer (repeatable), e.g. -X security.protocol=SASL_SSL.")
    var kafkaProperty: [KafkaProperty] = []

    @Option(help: ServeSettings.logLevel.help)
    var logLevel: Logger.Level?

    @Option(help: ServeSettings.watchAt.help)
    var watchAt: WatchAtMode?

    @Option(help: ServeSettings.maxGap.help)
    var maxGap: Int64?

    @Option(help: ServeSettings.maxBodyBytes.help)
    var maxBodyBytes: Int?

    @Option(help: ServeSettings.commitDelay.help)
    var commitDelay: DurationArgument?

    /// The old spelling of --commit-delay, in milliseconds; still accepted, not shown.
    @Option(help: .hidden)
    var commitDelayMs: Int?

    @Option(help: ServeSettings.commitMaxEvents.help)
    var commitMaxEvents: Int?

    @Option(help: ServeSettings.resumeLateness.help)
    var resumeLateness: DurationArgument?

    @Option(help: ServeSettings.resumeRetention.help)
    var resumeRetention: DurationArgument?

    @Option(help: ServeSettings.maxClockSkew.help)
    var maxClockSkew: DurationArgument?

    @Option(help: ServeSettings.resumeMaxAhead.help)
    var resumeMaxAhead: DurationArgument?

    @Option(help: ServeSettings.resumeIdleTimeout.help)
    var resumeIdleTimeout: DurationArgument?

    @Option(help: ServeSettings.resumeCorroboration.help)
    var resumeCorroboration: Int?

    @Option(help: ServeSettings.sessionTimeout.help)
    var sessionTimeout: DurationArgument?

    @Option(help: ServeSettings.headerTimeout.help)
    var headerTimeout: DurationArgument?

    @Option(help: ServeSettings.bodyTimeout.help)
    var bodyTimeout: DurationArgument?

    @Option(help: ServeSettings.connectionIdleTimeout.help)
    var connectionIdleTimeout: DurationArgument?

    @Option(help: ServeSettings.shutdownTimeout.help)
    var shutdownTimeout: DurationArgument?

    @Option(help: ServeSettings.websocketPingInterval.help)
    var websocketPingInterval: DurationArgument?

    @Option(help: ServeSettings.websocketIdleTimeout.help)
    var websocketIdleTimeout: DurationArgument?

    @Option(help: ServeSettings.websocketCloseTimeout.help)
    var websocketCloseTimeout: DurationArgument?

    @OptionGroup(title: "Memory bounds")
    var memory: ServeMemoryOptions

    func run() async throws {
        let settings = try resolve()
        Bootstrap.logging(level: settings.logLevel)
        let registry = Bootstrap.metrics()
        var logger = Logger(label: "tally")
        logger.logLevel = settings.logLevel
        let publisher = try KafkaSupport.publisher(
            brokers: settings.kafkaBrokers, topics: settings.publish, deliveryTimeout: settings.kafkaDeliveryTimeout,
            properties: KafkaProperty.dictionary(kafkaProperty), logger: logger)
        // The store is opened around the whole service group: start-up reads it before the services run, and the
        // writer commits its last batch after the others stopped.
        try await self.store.withStore(logger: logger) { store in
            logger.info(
                "access",
                metadata: [
                    "auth": "\(settings.server.access.mode.rawValue)",
                    "detail":
                        "\(settings.server.access.mode == .off ? "no API key is asked for" : "every route but /health needs an API key (tally keys create)")",
                    "tls": "\(settings.server.tls == nil ? "off" : "on")",
                ])
            let app = try await TallyApplication.build(
                configuration: settings.server, store: store, registry: registry, publisher: publisher, logger: logger)
            // SIGTERM/SIGINT drain requests for at most --shutdown-timeout, then cancel what is left: no client can keep
            // the process alive (queued events are still committed or refused, never acknowledged and dropped).
            var group = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            group.maximumGracefulShutdownDuration = settings.server.connection.shutdownTimeout
            group.maximumCancellationDuration = .seconds(5)
            do {
                try await ServiceGroup(configuration: group).run()
            } catch let error as IOError where error.errnoCode == EADDRINUSE {
                throw CLIError(
                    "\(settings.server.host):\(settings.server.port) is in use; stop what listens there or choose another --port")
            } catch let error as IOError where error.errnoCode == EADDRNOTAVAIL || error.errnoCode == EACCES {
                throw CLIError("cannot listen on \(settings.server.host):\(settings.server.port): \(error)")
            }
        }
        logger.info("stopped")
    }

    private struct Settings {
        var server: ServerConfiguration
        var kafkaBrokers: String?
        var publish: PublishTopics?
        var kafkaDeliveryTimeout: Duration
        var logLevel: Logger.Level
    }

    private func resolve() throws -> Settings {
        let env = EnvironmentResolver()
        var server = ServerConfiguration()
        server.host = try ServeSettings.host.resolve(host, env)
        server.port = try ServeSettings.port.resolve(port, env)
        try access.apply(to: &server, env: env)
        server.maxBodyBytes = try ServeSettings.maxBodyBytes.resolve(maxBodyBytes, env)
        server.rules.watchAt = try ServeSettings.watchAt.resolve(watchAt, env)
        server.rules.maxGapSeconds = try ServeSettings.maxGap.resolve(maxGap, env)
        if commitDelay != nil, commitDelayMs != nil {
            throw ValidationError("--commit-delay-ms is the old spelling of --commit-delay; give one")
        }
        server.writer.commitDelay = try ServeSettings.commitDelay.resolve(
            commitDelayMs.map { DurationArgument(.milliseconds($0)) } ?? commitDelay, env
        ).duration
        server.writer.maxBatchEvents = try ServeSettings.commitMaxEvents.resolve(commitMaxEvents, env)
        server.resume.lateness = try ServeSettings.resumeLateness.resolve(resumeLateness, env).duration
        server.resumeRetention = try ServeSettings.resumeRetention.resolve(resumeRetention, env).duration
        server.maxClockSkew = try ServeSettings.maxClockSkew.resolve(maxClockSkew, env).duration
        server.resume.maxAhead = try ServeSettings.resumeMaxAhead.resolve(resumeMaxAhead, env).duration
        server.resume.idleTimeout = try ServeSettings.resumeIdleTimeout.resolve(resumeIdleTimeout, env).duration
        server.resume.corroboration = try ServeSettings.resumeCorroboration.resolve(resumeCorroboration, env)
        try memory.apply(to: &server)
        server.sessionTimeout = try ServeSettings.sessionTimeout.resolve(sessionTimeout, env).duration
        server.connection.headerTimeout = try ServeSettings.headerTimeout.resolve(headerTimeout, env).duration
        server.connection.bodyTimeout = try ServeSettings.bodyTimeout.resolve(bodyTimeout, env).duration
        server.connection.idleTimeout = try ServeSettings.connectionIdleTimeout.resolve(connectionIdleTimeout, env).duration
        server.connection.shutdownTimeout = try ServeSettings.shutdownTimeout.resolve(shutdownTimeout, env).duration
        server.connection.webSocket.pingInterval = try ServeSettings.websocketPingInterval.resolve(websocketPingInterval, env).duration
        server.connection.webSocket.idleTimeout = try ServeSettings.websocketIdleTimeout.resolve(websocketIdleTimeout, env).duration
        server.connection.webSocket.closeTimeout = try ServeSettings.websocketCloseTimeout.resolve(websocketCloseTimeout, env).duration
        return Settings(
            server: server,
            kafkaBrokers: try ServeSettings.kafkaBrokers.resolveOptional(kafkaBrokers, env),
            publish: try ServeSettings.publish.resolveOptional(publish, env),
            kafkaDeliveryTimeout: try ServeSettings.kafkaDeliveryTimeout.resolve(kafkaDeliveryTimeout, env).duration,
            logLevel: try ServeSettings.logLevel.resolve(logLevel, env))
    }
}

extension WatchAtMode: ExpressibleByArgument {}
