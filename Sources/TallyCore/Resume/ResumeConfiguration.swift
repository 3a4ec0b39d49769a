/// What happens to an event whose window has already been emitted.
public enum LatePolicy: String, Sendable, CaseIterable {
    /// Count and report it; the emitted window stands.
    case drop
    /// Apply it and emit the user's corrected array for that window with `revision` + 1, while the window is
    /// within the retention.
    case emit
}

/// Settings of the resume-position processor.
public struct ResumeConfiguration: Hashable, Sendable {
    /// The window length: the brief's minute by default.
    public var window: WindowUnit
    /// Allowed lateness: the watermark trails the largest event time by this much (default: one heartbeat interval).
    public var lateness: Duration
    /// Wall-clock idleness after which the watermark advances on its own.
    public var idleTimeout: Duration
    /// What happens to heartbeats for windows already emitted.
    public var late: LatePolicy
    /// How long after closing a window is kept for corrections (`.emit` only).
    public var retention: Duration
    /// Heartbeats further ahead than this of their partition's time wait until other users corroborate it.
    public var maxAhead: Duration
    /// Distinct users that must agree on a jump in time.
    public var corroboration: Int

    /// The defaults are the brief's windows and a lateness of one heartbeat interval; late heartbeats are dropped.
    public init(
        window: WindowUnit = .minute, lateness: Duration = .seconds(10), idleTimeout: Duration = EventClockConfiguration.defaultIdleTimeout,
        late: LatePolicy = .drop, retention: Duration = .seconds(3600),
        maxAhead: Duration = EventClockConfiguration.defaultMaxJump,
        corroboration: Int = EventClockConfiguration.defaultCorroboration
    ) {
        self.window = window
        self.lateness = lateness
        self.idleTimeout = idleTimeout
        self.late = late
        self.retention = retention
        self.maxAhead = maxAhead
        self.corroboration = corroboration
    }

    /// The event clock these settings describe.
    public var clock: EventClockConfiguration {
        EventClockConfiguration(lateness: lateness, idleTimeout: idleTimeout, maxJump: maxAhead, corroboration: corroboration)
    }
}

/// Running totals, for progress lines, summaries and metrics.
public struct ResumeStatistics: Hashable, Sendable {
    /// Heartbeats applied or held, every kind.
    public var events = 0
    /// Events whose window had already closed.
    public var late = 0
    /// Late events applied and re-emitted (`.emit`).
    public var lateRevised = 0
    /// Late events not applied (`.drop`, or older than the retention).
    public var lateDropped = 0
    /// Heartbeats far ahead of their partition's time that no other users corroborated.
    public var rejectedOutliers = 0
    /// Heartbeats held when their partition was revoked: dropped here, read again by the partition's next owner.
    public var handedOver = 0
    /// Windows closed.
    public var windowsClosed = 0
    /// Arrays emitted (one per user per window, revisions included).
    public var outputs = 0

    /// All zero.
    public init() {}
}
