import TallyCore
import TallyPipeline

/// Everything `tally serve` can be told, with the documented defaults.
public struct ServerConfiguration: Sendable {
    /// 127.0.0.1 by default: a fresh server is reachable from this machine only, so it can run without keys.
    public var host: String
    /// 8000 by default.
    public var port: Int
    /// Largest accepted request body in bytes (default 1 MiB).
    public var maxBodyBytes: Int
    /// Bounds on ids, batches and numbers in request bodies (each error names its limit).
    public var limits: InputLimits
    /// How watch time is counted; the writer plans with these and a shared store re-plans with the same.
    public var rules: PlaybackRules
    /// Group commit: batch size and an optional delay to grow batches.
    public var writer: WriterConfiguration
    /// The resume-position windows run on ingested heartbeats (late heartbeats re-emit corrected arrays).
    public var resume: ResumeConfiguration
    /// How long emitted resume arrays stay queryable with `?window=` (default 24 h).
    public var resumeRetention: Duration
    /// Bounds on session messages and sessions, so one client's trace cannot take the server's memory.
    public var sessionLimits: SessionLimits
    /// A session with no message for this long is reported `abandoned` (default 30 min).
    public var sessionTimeout: Duration
    /// Heartbeats and ad events further ahead of the server's clock are refused with `400` (default 1 day).
    public var maxClockSkew: Duration
    /// Header, body, idle and shutdown timeouts of client connections.
    public var connection: ConnectionLimits
    /// Whether requests need API keys (`--auth`); off by default here, and in `tally serve` on loopback addresses.
    public var access = AccessConfiguration()
    /// Which web pages may call the server (`--cors-origins`) and which Host names it answers to (`--allowed-hosts`).
    public var browser = BrowserPolicy()
    /// Requests per second per key and per client address, for writes and reads (`--rate-limit`); off by default.
    public var rateLimits = RateLimits()
    /// PEM files of the certificate chain and private key: when set, the server speaks HTTPS and WSS only.
    public var tls: (certificate: String, privateKey: String)?
    /// Bytes of rendered session trees shared between readers (default 64 MiB); see `SessionRenderCache`.
    public var sessionRenderCacheBytes: Int = 64 << 20
    /// The most stored heartbeats one `GET /movies/top` may read: it reads them all, so a longer range is refused
    /// before anything is read.
    public var topContentMaxHeartbeats: Int = 2_000_000
    /// Rankings `GET /movies/top` works out at once; more are answered `503 overloaded` (each may hold a state per
    /// key of its range in memory).
    public var topContentConcurrency: Int = 2
    /// Playback states the writer keeps (`PlaybackHotSet`); about 300 bytes each.
    public var playbackHotKeys: Int = 200_000
    /// Bytes of resume arrays queued for one `/resume/stream` subscriber before it is dropped (default 4 MiB).
    public var resumeStreamBufferBytes: Int = 4 << 20

    /// The documented defaults; `tally serve` fills it from flags and `TALLY_*`.
    public init(
        host: String = "127.0.0.1", port: Int = 8000, maxBodyBytes: Int = 1 << 20, limits: InputLimits = .default,
        rules: PlaybackRules = PlaybackRules(), writer: WriterConfiguration = WriterConfiguration(),
        resume: ResumeConfiguration = ResumeConfiguration(late: .emit), resumeRetention: Duration = .seconds(86_400),
        sessionLimits: SessionLimits = .default, sessionTimeout: Duration = .seconds(1800),
        maxClockSkew: Duration = .seconds(86_400), connection: ConnectionLimits = ConnectionLimits()
    ) {
        self.connection = connection
        self.maxClockSkew = maxClockSkew
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.limits = limits
        self.rules = rules
        self.writer = writer
        self.resume = resume
        self.resumeRetention = resumeRetention
        self.sessionLimits = sessionLimits
        self.sessionTimeout = sessionTimeout
    }
}
