/// Settings of `tally count`.
public struct CountConfiguration: Hashable, Sendable {
    /// Calendar units to count (minute, hour, day, week, month, year).
    public var units: [WindowUnit]
    /// How far the watermark trails the newest trusted time: frames this late still count before their window closes.
    public var lateness: Duration
    /// How long after closing a window late frames still revise it; older frames are rejected.
    public var retention: Duration
    /// Frames further ahead than this of their partition's time wait until other users corroborate it (a
    /// bit-flipped `ts` never is); see `EventClock`.
    public var maxAhead: Duration
    /// Distinct users that must agree on a jump in time.
    public var corroboration: Int
    /// Wall-clock time without frames after which a partition (or the whole input) counts as idle.
    public var idleTimeout: Duration
    /// Exact sets of user ids instead of HyperLogLog: exact answers, memory in proportion to the users.
    public var exact: Bool
    /// HyperLogLog precision p (2^p registers; relative error about 1.04/√2^p).
    public var precision: Int

    /// The units `tally count` can count in, finest first.
    public static let supportedUnits: [WindowUnit] = [.minute, .hour, .day, .week, .month, .year]

    /// The defaults are `tally count`'s; `units` are kept in finest-first order whatever order they come in.
    public init(
        units: [WindowUnit] = CountConfiguration.supportedUnits, lateness: Duration = .seconds(5),
        retention: Duration = .seconds(7200), maxAhead: Duration = EventClockConfiguration.defaultMaxJump,
        corroboration: Int = EventClockConfiguration.defaultCorroboration,
        idleTimeout: Duration = EventClockConfiguration.defaultIdleTimeout,
        exact: Bool = false, precision: Int = HyperLogLog.defaultPrecision
    ) {
        self.units = CountConfiguration.supportedUnits.filter(units.contains)
        self.lateness = lateness
        self.retention = retention
        self.maxAhead = maxAhead
        self.corroboration = corroboration
        self.idleTimeout = idleTimeout
        self.exact = exact
        self.precision = precision
    }

    /// The event clock these settings describe.
    public var clock: EventClockConfiguration {
        EventClockConfiguration(lateness: lateness, idleTimeout: idleTimeout, maxJump: maxAhead, corroboration: corroboration)
    }

    /// Which requested units a window of `unit` is merged into when it closes: its nearest requested containers
    /// (a day goes into its week and its month; a month into its year).
    func parents(of unit: WindowUnit) -> [WindowUnit] {
        let candidates = Self.containers(of: unit).filter(units.contains)
        return candidates.filter { candidate in
            !candidates.contains { other in other != candidate && Self.containers(of: other).contains(candidate) }
        }
    }

    static func containers(of unit: WindowUnit) -> [WindowUnit] {
        switch unit {
        case .minute: return [.hour, .day, .week, .month, .year]
        case .hour: return [.day, .week, .month, .year]
        case .day: return [.week, .month, .year]
        case .month: return [.year]
        default: return []
        }
    }
}

/// One emitted count.
public struct CountResult: Hashable, Sendable {
    /// The window this result is for.
    public var window: EventWindow
    /// Unique users in the window (estimated unless `exact`).
    public var uniques: Int
    /// Frames counted in the window.
    public var frames: Int
    /// False for a provisional result of an open window (`--emit updates`).
    public var final: Bool
    /// 0 for the window's first final result; each revision by late frames adds one.
    public var revision: Int
    /// Whether `uniques` is exact or a HyperLogLog estimate.
    public var exact: Bool
    /// The estimate's standard relative error (0 when exact), so a consumer can judge the figure.
    public var relativeError: Double
    /// The window's users, for a shard's output (`write(into:shard:)`).
    public var sketch: UniqueSketch? = nil

    /// `{"window":"minute","start":…,"end":…,"uniques":…,"frames":…,"final":true,"revision":0,"estimate":"hll","relativeError":0.0081}`;
    /// with a `shard`, also `"shard":…,"sketch":BASE64` (the sketch's stable bytes) for `tally count --merge`.
    public func write(into bytes: inout [UInt8], shard: String? = nil) {
        var json = JSONWriter(reservingCapacity: 200)
        json.beginObject()
        json.member("window", window.unit.description)
        json.member("start", ISO8601.format(window.start, style: .zulu))
        json.member("end", ISO8601.format(window.end, style: .zulu))
        json.member("uniques", uniques)
        json.member("frames", frames)
        json.member("final", final)
        json.member("revision", revision)
        json.member("estimate", exact ? "exact" : "hll")
        json.key("relativeError")
        json.value((relativeError * 1_000_000).rounded() / 1_000_000)
        if let shard, let sketch {
            json.member("shard", shard)
            json.member("sketch", String(decoding: Base64.encode(sketch.serialized()), as: UTF8.self))
        }
        json.endObject()
        bytes.append(contentsOf: json.bytes)
        bytes.append(0x0A)
    }
}

/// Every frame is accounted for in exactly one of these.
public struct CountStatistics: Hashable, Sendable {
    /// Input lines, every kind.
    public var lines = 0
    /// Frames counted in a window.
    public var counted = 0
    /// Counted frames that arrived after their finest window closed (they revised it).
    public var late = 0
    /// Frames older than the retention behind the watermark: their windows are gone.
    public var rejectedTooOld = 0
    /// Frames far ahead of their partition's time that no other users corroborated.
    public var rejectedOutliers = 0
    /// Frames held when their partition was revoked: dropped here, read again by the partition's next owner.
    public var handedOver = 0
    /// Lines that are not JSON objects.
    public var malformed = 0
    /// Objects without the user or the time field at the top level.
    public var missingFields = 0
    /// Objects whose user or time field has the wrong type or value.
    public var invalidFields = 0
    /// Empty or whitespace-only lines (not errors).
    public var blankLines = 0
    /// Windows closed (their final result written).
    public var windowsClosed = 0
    /// Revised results written for closed windows.
    public var revisions = 0

    /// All zero.
    public init() {}
}
