/// How an `EventClock` turns event times from untrusted clients and partitioned sources into a watermark.
///
/// One configuration serves `tally count`, `tally resume` and the server's resume windows, so the three agree on
/// what a late, idle or implausible event is.
public struct EventClockConfiguration: Hashable, Sendable {
    /// The watermark trails the slowest active partition's newest trusted time by this much.
    public var lateness: Duration
    /// A partition with no event for this long (wall clock) stops holding the watermark back.
    public var idleTimeout: Duration
    /// An event further than this ahead of its partition's newest trusted time is held until corroborated.
    public var maxJump: Duration
    /// How many distinct keys (users) must reach a held time before the partition's time jumps to it. A stream
    /// with fewer keys needs all of them.
    public var corroboration: Int
    /// Most events held per partition; beyond it the furthest ahead is rejected as an outlier.
    public var maxHeld: Int

    /// Further than any partition's normal disorder, shorter than the gaps in history that matter.
    public static let defaultMaxJump: Duration = .seconds(300)
    /// Enough that one bad clock cannot move time: a real jump comes from many users at once.
    public static let defaultCorroboration = 3
    /// Bounds the memory one partition's implausible events can take.
    public static let defaultMaxHeld = 4096

    /// Wall-clock silence after which a partition stops holding the watermark back: long enough for a slow producer's gaps, short enough that a stopped stream's last windows close soon.
    public static let defaultIdleTimeout: Duration = .seconds(5)

    /// A configuration; `corroboration` must be at least 1 and `maxHeld` at least `corroboration`.
    public init(
        lateness: Duration, idleTimeout: Duration = Self.defaultIdleTimeout, maxJump: Duration = Self.defaultMaxJump,
        corroboration: Int = Self.defaultCorroboration, maxHeld: Int = Self.defaultMaxHeld
    ) {
        precondition(corroboration >= 1 && maxHeld >= corroboration, "corroboration needs at least one key and room to hold them")
        self.lateness = lateness
        self.idleTimeout = idleTimeout
        self.maxJump = maxJump
        self.corroboration = corroboration
        self.maxHeld = maxHeld
    }

    /// The options that shape a clock's state; a checkpoint only resumes a clock with the same ones.
    var fingerprint: String {
        "lateness=\(lateness.milliseconds) maxJump=\(maxJump.milliseconds) corroboration=\(corroboration) maxHeld=\(maxHeld)"
    }
}
