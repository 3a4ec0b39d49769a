import Foundation
import ArgumentParser
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import TallyCore
import TallyServer
import TallyPipeline

/// `tally serve`: the HTTP server on the embedded SQLite store, or on PostgreSQL shared by several servers.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Tally HTTP server (embedded SQLite store under --data-dir, or PostgreSQL with --postgres).",
        discussion: "Every option can also be set with the TALLY_* environment variable named in its help."
    )

    @Option(help: "Address to listen on. [env: TALLY_HOST] (default: 127.0.0.1)")
    var host: String?

    @Option(help: "Port to listen on. [env: TALLY_PORT] (default: 8000)")
    var port: Int?

    @OptionGroup(title: "Access")
    var access: AccessOptions

    @OptionGroup(title: "Store")
    var store: StoreOptions

    @Option(help: "Kafka bootstrap servers (HOST:PORT,…) to publish accepted events to; needs the Kafka trait. [env: TALLY_KAFKA_BROKERS]")
    var kafkaBrokers: String?

    @Option(help: "Topic per kind of event: heartbeats=TOPIC,watch=TOPIC,ads=TOPIC. Clients are acknowledged once Kafka has the events. [env: TALLY_PUBLISH]")
    var publish: PublishTopics?

    @Option(help: "How long a publish may take before the request fails with 503. [env: TALLY_KAFKA_DELIVERY_TIMEOUT] (default: 30s)")
    var kafkaDeliveryTimeout: DurationArgument?

    @Option(name: .customShort("X"), help: "A librdkafka setting KEY=VALUE for the publishing producer (repeatable), e.g. -X security.protocol=SASL_SSL.")
    var kafkaProperty: [KafkaProperty] = []

    @Option(help: "trace, debug, info, notice, warning, error or critical. [env: TALLY_LOG_LEVEL] (default: info)")
    var logLevel: Logger.Level?

    @Option(help: "How watch events' `at` is read: increment (seconds watched) or position. [env: TALLY_WATCH_AT] (default: increment)")
    var watchAt: WatchAtMode?

    @Option(help: "Longest gap (seconds) across which progress still counts as watching. [env: TALLY_MAX_GAP] (default: 60)")
    var maxGap: Int64?

    @Option(help: "Largest request body in bytes. [env: TALLY_MAX_BODY_BYTES] (default: 1048576)")
    var maxBodyBytes: Int?

    @Option(help: "Milliseconds the writer waits to grow a batch; 0 = commit what is queued at once. [env: TALLY_COMMIT_DELAY_MS] (default: 0)")
    var commitDelayMs: Int?

    @Option(help: "Most events per commit. [env: TALLY_COMMIT_MAX_EVENTS] (default: 20000)")
    var commitMaxEvents: Int?

    @Option(help: "Allowed lateness of heartbeats for the resume windows. [env: TALLY_RESUME_LATENESS] (default: 10s)")
    var resumeLateness: DurationArgument?

    @Option(help: "How long emitted resume arrays stay queryable with ?window=. [env: TALLY_RESUME_RETENTION] (default: 24h)")
    var resumeRetention: DurationArgument?

    @Option(help: "Heartbeats and ad events further ahead of the server's clock are refused with 400 (past times are accepted). [env: TALLY_MAX_CLOCK_SKEW] (default: 1d)")
    var maxClockSkew: DurationArgument?

    @Option(help: "Heartbeats further ahead of the resume windows' event time wait until other users corroborate it. [env: TALLY_RESUME_MAX_AHEAD] (default: 5m)")
    var resumeMaxAhead: DurationArgument?

    @Option(help: "Close the resume windows by the wall clock after this long without heartbeats. [env: TALLY_RESUME_IDLE_TIMEOUT] (default: 5s)")
    var resumeIdleTimeout: DurationArgument?

    @Option(help: "Distinct users that must agree before the resume windows' event time jumps ahead. [env: TALLY_RESUME_CORROBORATION] (default: 3)")
    var resumeCorroboration: Int?

    @Option(help: "A session with no message for this long is reported abandoned. [env: TALLY_SESSION_TIMEOUT] (default: 30m)")
    var sessionTimeout: DurationArgument?

    @Option(help: "Time a client has, from the first byte of a request, to send all its headers (else 408). [env: TALLY_HEADER_TIMEOUT] (default: 10s)")
    var headerTimeout: DurationArgument?

    @Option(help: "Time a client has, after the headers, to send the whole body (else the connection is closed). [env: TALLY_BODY_TIMEOUT] (default: 30s)")
    var bodyTimeout: DurationArgument?

    @Option(help: "A connection with no request for this long is closed (before its first request and between keep-alive requests). [env: TALLY_CONNECTION_IDLE_TIMEOUT] (default: 60s)")
    var connectionIdleTimeout: DurationArgument?

    @Option(help: "On SIGTERM, how long in-flight requests and open streams may take before they are cut off. [env: TALLY_SHUTDOWN_TIMEOUT] (default: 10s)")
    var shutdownTimeout: DurationArgument?

    @Option(help: "How often a WebSocket is pinged; a client that misses a pong is disconnected. [env: TALLY_WEBSOCKET_PING_INTERVAL] (default: 30s)")
    var websocketPingInterval: DurationArgument?

    @Option(help: "A WebSocket with no message for this long is closed with 1001 (pings do not count). [env: TALLY_WEBSOCKET_IDLE_TIMEOUT] (default: 10m)")
    var websocketIdleTimeout: DurationArgument?

    @Option(help: "After the server's WebSocket close, how long it waits for the client's before dropping it. [env: TALLY_WEBSOCKET_CLOSE_TIMEOUT] (default: 5s)")
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
            logger.info("access", metadata: [
                "auth": "\(settings.server.access.mode.rawValue)",
                "detail": "\(settings.server.access.mode == .off ? "no API key is asked for" : "every route but /health needs an API key (tally keys create)")",
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
                throw CLIError("\(settings.server.host):\(settings.server.port) is in use; stop what listens there or choose another --port")
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
        server.host = try env.value(host, "TALLY_HOST", default: server.host)
        server.port = try env.value(port, "TALLY_PORT", default: server.port)
        try access.apply(to: &server, env: env)
        server.maxBodyBytes = try env.value(maxBodyBytes, "TALLY_MAX_BODY_BYTES", default: server.maxBodyBytes)
        server.rules.watchAt = try env.value(watchAt, "TALLY_WATCH_AT", default: server.rules.watchAt)
        server.rules.maxGapSeconds = try env.value(maxGap, "TALLY_MAX_GAP", default: server.rules.maxGapSeconds)
        let delay = try env.value(commitDelayMs, "TALLY_COMMIT_DELAY_MS", default: 0)
        server.writer.commitDelay = .milliseconds(delay)
        server.writer.maxBatchEvents = try env.value(commitMaxEvents, "TALLY_COMMIT_MAX_EVENTS", default: server.writer.maxBatchEvents)
        server.resume.lateness = try env.value(resumeLateness, "TALLY_RESUME_LATENESS", default: DurationArgument(server.resume.lateness)).duration
        server.resumeRetention = try env.value(resumeRetention, "TALLY_RESUME_RETENTION", default: DurationArgument(server.resumeRetention)).duration
        server.maxClockSkew = try env.value(maxClockSkew, "TALLY_MAX_CLOCK_SKEW", default: DurationArgument(server.maxClockSkew)).duration
        server.resume.maxAhead = try env.value(resumeMaxAhead, "TALLY_RESUME_MAX_AHEAD", default: DurationArgument(server.resume.maxAhead)).duration
        server.resume.idleTimeout = try env.value(resumeIdleTimeout, "TALLY_RESUME_IDLE_TIMEOUT", default: DurationArgument(server.resume.idleTimeout)).duration
        server.resume.corroboration = try env.value(resumeCorroboration, "TALLY_RESUME_CORROBORATION", default: server.resume.corroboration)
        guard server.resume.corroboration >= 1, server.resume.corroboration <= 1000 else {
            throw ValidationError("--resume-corroboration must be from 1 to 1000")
        }
        guard server.maxClockSkew > .zero, server.resume.maxAhead > .zero, server.resume.idleTimeout > .zero else {
            throw ValidationError("--max-clock-skew, --resume-max-ahead and --resume-idle-timeout must be positive")
        }
        try memory.apply(to: &server)
        server.sessionTimeout = try env.value(sessionTimeout, "TALLY_SESSION_TIMEOUT", default: DurationArgument(server.sessionTimeout)).duration
        var connection = server.connection
        connection.headerTimeout = try env.value(headerTimeout, "TALLY_HEADER_TIMEOUT", default: DurationArgument(connection.headerTimeout)).duration
        connection.bodyTimeout = try env.value(bodyTimeout, "TALLY_BODY_TIMEOUT", default: DurationArgument(connection.bodyTimeout)).duration
        connection.idleTimeout = try env.value(connectionIdleTimeout, "TALLY_CONNECTION_IDLE_TIMEOUT", default: DurationArgument(connection.idleTimeout)).duration
        connection.shutdownTimeout = try env.value(shutdownTimeout, "TALLY_SHUTDOWN_TIMEOUT", default: DurationArgument(connection.shutdownTimeout)).duration
        var ws = connection.webSocket
        ws.pingInterval = try env.value(websocketPingInterval, "TALLY_WEBSOCKET_PING_INTERVAL", default: DurationArgument(ws.pingInterval)).duration
        ws.idleTimeout = try env.value(websocketIdleTimeout, "TALLY_WEBSOCKET_IDLE_TIMEOUT", default: DurationArgument(ws.idleTimeout)).duration
        ws.closeTimeout = try env.value(websocketCloseTimeout, "TALLY_WEBSOCKET_CLOSE_TIMEOUT", default: DurationArgument(ws.closeTimeout)).duration
        connection.webSocket = ws
        let timeouts = [
            connection.headerTimeout, connection.bodyTimeout, connection.idleTimeout, connection.shutdownTimeout,
            ws.pingInterval, ws.idleTimeout, ws.closeTimeout,
        ]
        guard timeouts.allSatisfy({ $0 > .zero }) else {
            throw ValidationError("--header-timeout, --body-timeout, --connection-idle-timeout, --shutdown-timeout and the --websocket-* timeouts must be positive")
        }
        server.connection = connection
        guard (1...65535).contains(server.port) else { throw ValidationError("--port must be from 1 to 65535") }
        guard server.maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes must be at least 1024") }
        guard delay >= 0, delay <= 1000 else { throw ValidationError("--commit-delay-ms must be from 0 to 1000") }
        guard server.writer.maxBatchEvents >= 1 else { throw ValidationError("--commit-max-events must be positive") }
        guard server.rules.maxGapSeconds >= 0 else { throw ValidationError("--max-gap must not be negative") }
        return Settings(
            server: server,
            kafkaBrokers: try env.optionalValue(kafkaBrokers, "TALLY_KAFKA_BROKERS"),
            publish: try env.optionalValue(publish?.description, "TALLY_PUBLISH").map {
                guard let topics = PublishTopics(argument: $0) else { throw ValidationError("TALLY_PUBLISH=\($0) is not heartbeats=TOPIC,watch=TOPIC,ads=TOPIC") }
                return topics
            },
            kafkaDeliveryTimeout: try env.value(kafkaDeliveryTimeout, "TALLY_KAFKA_DELIVERY_TIMEOUT", default: DurationArgument(.seconds(30))).duration,
            logLevel: try env.value(logLevel, "TALLY_LOG_LEVEL", default: .info))
    }
}

extension WatchAtMode: ExpressibleByArgument {}

