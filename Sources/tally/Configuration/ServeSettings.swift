import Logging
import TallyCore
import TallyServer

/// `tally serve`'s settings: defaults come from `ServerConfiguration`, so the help shows what the server does.
enum ServeSettings {
    static let defaults = ServerConfiguration()

    static let host = Setting<String>("--host", "TALLY_HOST", "Address to listen on.", default: defaults.host)
    static let port = Setting<Int>("--port", "TALLY_PORT", "Port to listen on.", default: defaults.port, in: 1...65535)
    static let logLevel = Setting<Logger.Level>(
        "--log-level", "TALLY_LOG_LEVEL", "trace, debug, info, notice, warning, error or critical.", default: .info)
    static let maxBodyBytes = Setting<Int>(
        "--max-body-bytes", "TALLY_MAX_BODY_BYTES", "Largest request body in bytes.", default: defaults.maxBodyBytes, atLeast: 1024)
    static let watchAt = Setting<WatchAtMode>(
        "--watch-at", "TALLY_WATCH_AT", "How watch events' `at` is read: increment (seconds watched) or position.",
        default: defaults.rules.watchAt)
    static let maxGap = Setting<Int64>(
        "--max-gap", "TALLY_MAX_GAP", "Longest gap (seconds) across which progress still counts as watching.",
        default: defaults.rules.maxGapSeconds, atLeast: 0)
    static let commitDelay = Setting<DurationArgument>(
        "--commit-delay", "TALLY_COMMIT_DELAY", "How long the writer waits to grow a batch; 0 commits what is queued at once.",
        default: DurationArgument(defaults.writer.commitDelay), allowed: "0 to 1s"
    ) {
        $0.duration >= .zero && $0.duration <= .seconds(1) ? nil : "must be from 0 to 1s"
    }
    static let commitMaxEvents = Setting<Int>(
        "--commit-max-events", "TALLY_COMMIT_MAX_EVENTS", "Most events per commit.", default: defaults.writer.maxBatchEvents,
        atLeast: 1)
    static let resumeLateness = Setting<DurationArgument>(
        "--resume-lateness", "TALLY_RESUME_LATENESS", "Allowed lateness of heartbeats for the resume windows.",
        default: DurationArgument(defaults.resume.lateness))
    static let resumeRetention = Setting<DurationArgument>(
        "--resume-retention", "TALLY_RESUME_RETENTION", "How long emitted resume arrays stay queryable with ?window=.",
        default: DurationArgument(defaults.resumeRetention))
    static let maxClockSkew = Setting<DurationArgument>.positive(
        "--max-clock-skew", "TALLY_MAX_CLOCK_SKEW",
        "Heartbeats and ad events further ahead of the server's clock are refused with 400 (past times are accepted).",
        default: defaults.maxClockSkew)
    static let resumeMaxAhead = Setting<DurationArgument>.positive(
        "--resume-max-ahead", "TALLY_RESUME_MAX_AHEAD",
        "Heartbeats further ahead of the resume windows' event time wait until other users corroborate it.",
        default: defaults.resume.maxAhead)
    static let resumeIdleTimeout = Setting<DurationArgument>.positive(
        "--resume-idle-timeout", "TALLY_RESUME_IDLE_TIMEOUT",
        "Close the resume windows by the wall clock after this long without heartbeats.",
        default: defaults.resume.idleTimeout)
    static let resumeCorroboration = Setting<Int>(
        "--resume-corroboration", "TALLY_RESUME_CORROBORATION",
        "Distinct users that must agree before the resume windows' event time jumps ahead.", default: defaults.resume.corroboration,
        in: 1...1000)
    static let sessionTimeout = Setting<DurationArgument>.positive(
        "--session-timeout", "TALLY_SESSION_TIMEOUT", "A session with no message for this long is reported abandoned.",
        default: defaults.sessionTimeout)
    static let headerTimeout = Setting<DurationArgument>.positive(
        "--header-timeout", "TALLY_HEADER_TIMEOUT",
        "Time a client has, from the first byte of a request, to send all its headers (else 408).",
        default: defaults.connection.headerTimeout)
    static let bodyTimeout = Setting<DurationArgument>.positive(
        "--body-timeout", "TALLY_BODY_TIMEOUT",
        "Time a client has, after the headers, to send the whole body (else the connection is closed).",
        default: defaults.connection.bodyTimeout)
    static let connectionIdleTimeout = Setting<DurationArgument>.positive(
        "--connection-idle-timeout", "TALLY_CONNECTION_IDLE_TIMEOUT",
        "A connection with no request for this long is closed (before its first request and between keep-alive requests).",
        default: defaults.connection.idleTimeout)
    static let shutdownTimeout = Setting<DurationArgument>.positive(
        "--shutdown-timeout", "TALLY_SHUTDOWN_TIMEOUT",
        "On SIGTERM, how long in-flight requests and open streams may take before they are cut off.",
        default: defaults.connection.shutdownTimeout)
    static let websocketPingInterval = Setting<DurationArgument>.positive(
        "--websocket-ping-interval", "TALLY_WEBSOCKET_PING_INTERVAL",
        "How often a WebSocket is pinged; a client that misses a pong is disconnected.",
        default: defaults.connection.webSocket.pingInterval)
    static let websocketIdleTimeout = Setting<DurationArgument>.positive(
        "--websocket-idle-timeout", "TALLY_WEBSOCKET_IDLE_TIMEOUT",
        "A WebSocket with no message for this long is closed with 1001 (pings do not count).",
        default: defaults.connection.webSocket.idleTimeout)
    static let websocketCloseTimeout = Setting<DurationArgument>.positive(
        "--websocket-close-timeout", "TALLY_WEBSOCKET_CLOSE_TIMEOUT",
        "After the server's WebSocket close, how long it waits for the client's before dropping it.",
        default: defaults.connection.webSocket.closeTimeout)
    static let kafkaBrokers = Setting<String>(
        "--kafka-brokers", "TALLY_KAFKA_BROKERS",
        "Kafka bootstrap servers (HOST:PORT,…) to publish accepted events to; needs the Kafka trait.", default: nil, shownAs: "none")
    static let publish = Setting<PublishTopics>(
        "--publish", "TALLY_PUBLISH",
        "Topic per kind of event: heartbeats=TOPIC,watch=TOPIC,ads=TOPIC. Clients are acknowledged once Kafka has the events.",
        default: nil, shownAs: "none")
    static let kafkaDeliveryTimeout = Setting<DurationArgument>.positive(
        "--kafka-delivery-timeout", "TALLY_KAFKA_DELIVERY_TIMEOUT", "How long a publish may take before the request fails with 503.",
        default: .seconds(30))
    static let sessionRenderCacheBytes = Setting<Int>(
        "--session-render-cache-bytes", "TALLY_SESSION_RENDER_CACHE_BYTES",
        "Bytes of rendered session trees shared by concurrent GET /sessions/{id}; at most two trees are built at a time beyond it.",
        default: defaults.sessionRenderCacheBytes, atLeast: 0)
    static let resumeStreamBufferBytes = Setting<Int>(
        "--resume-stream-buffer-bytes", "TALLY_RESUME_STREAM_BUFFER_BYTES",
        "Bytes of resume arrays queued for one /resume/stream subscriber; one that falls further behind gets an end event and is disconnected.",
        default: defaults.resumeStreamBufferBytes, atLeast: 64 << 10)
    static let playbackHotKeys = Setting<Int>(
        "--playback-hot-keys", "TALLY_PLAYBACK_HOT_KEYS",
        "(user, content) playback states the writer keeps in memory; the rest are read from the store when an event needs them, and queries always read the store.",
        default: defaults.playbackHotKeys, atLeast: 2)
}
