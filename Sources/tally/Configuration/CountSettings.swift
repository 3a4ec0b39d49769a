import TallyCore

/// `tally count`'s settings: defaults come from `CountConfiguration`, so the help shows what the counter does.
enum CountSettings {
    static let defaults = CountConfiguration()

    static let windows = Setting<String>(
        "--windows", "TALLY_WINDOWS", "Comma-separated units: minute,hour,day,week,month,year.",
        default: defaults.units.map(\.description).joined(separator: ","), shownAs: "all")
    static let userField = Setting<String>(
        "--user-field", "TALLY_USER_FIELD", "Top-level key of the user id.", default: FrameScanner.defaultUserField)
    static let timeField = Setting<String>(
        "--time-field", "TALLY_TIME_FIELD", "Top-level key of the time (unix seconds or ms, number or string).",
        default: FrameScanner.defaultTimeField)
    static let lateness = Setting<DurationArgument>(
        "--lateness", "TALLY_LATENESS", "Allowed lateness: the watermark trails the slowest partition's time by this much.",
        default: DurationArgument(defaults.lateness))
    static let retention = Setting<DurationArgument>(
        "--retention", "TALLY_RETENTION", "Late frames within this of the watermark revise closed windows; older ones are rejected.",
        default: DurationArgument(defaults.retention))
    static let precision = Setting<Int>(
        "--precision", "TALLY_PRECISION", "HyperLogLog precision p (2^p registers).", default: defaults.precision,
        in: HyperLogLog.precisionRange)
}

/// `tally resume`'s settings. Its variables are `TALLY_RESUME_*`, the ones `tally serve` reads for the same
/// settings of its resume windows, so that one name means one thing: `TALLY_LATENESS` and `TALLY_RETENTION` are
/// `tally count`'s.
enum ResumeSettings {
    static let defaults = ResumeConfiguration()

    static let window = Setting<WindowUnit>(
        "--window", "TALLY_RESUME_WINDOW", "Window size: minute, hour, day, week, month, year, or e.g. 30s.", default: defaults.window)
    static let lateness = Setting<DurationArgument>(
        "--lateness", "TALLY_RESUME_LATENESS", "Allowed lateness of heartbeats.", default: DurationArgument(defaults.lateness))
    static let late = Setting<LatePolicy>(
        "--late", "TALLY_RESUME_LATE", "Late events: drop (count and report) or emit (re-emit the corrected array with \"revision\").",
        default: defaults.late)
    static let retention = Setting<DurationArgument>(
        "--retention", "TALLY_RESUME_REVISION_RETENTION", "How long closed windows are kept for --late emit.",
        default: DurationArgument(defaults.retention))

    /// Variables `tally resume` read before they were renamed, and the names that replaced them.
    static let renamed = [
        ("TALLY_WINDOW", window.variable), ("TALLY_LATENESS", lateness.variable), ("TALLY_LATE", late.variable),
        ("TALLY_RETENTION", retention.variable),
    ]

    /// Warnings for renamed variables that are set while their new names are not: the run goes on with the
    /// defaults, but says so instead of ignoring the setting silently.
    static func renamedWarnings(_ environment: [String: String]) -> [String] {
        renamed.compactMap { old, new in
            guard environment[old] != nil, environment[new] == nil else { return nil }
            return "resume: warning: \(old) is not read by tally resume (it is tally count's, or was renamed); set \(new) instead\n"
        }
    }
}

/// The event-clock settings `tally count` and `tally resume` share (same meaning, same defaults).
enum EventTimeSettings {
    static let maxAhead = Setting<DurationArgument>.positive(
        "--max-ahead", "TALLY_MAX_AHEAD",
        "Events further ahead of their partition's time than this wait until --corroboration users reach that time; never corroborated, they are rejected as outliers.",
        default: EventClockConfiguration.defaultMaxJump)
    static let corroboration = Setting<Int>(
        "--corroboration", "TALLY_CORROBORATION", "Distinct users that must agree before a partition's event time jumps ahead (or starts).",
        default: EventClockConfiguration.defaultCorroboration, in: 1...1000)
    static let idleTimeout = Setting<DurationArgument>.positive(
        "--idle-timeout", "TALLY_IDLE_TIMEOUT",
        "A partition (or stdin) with no event for this long (wall clock) stops holding the watermark back; when all are idle the watermark follows the wall clock.",
        default: EventClockConfiguration.defaultIdleTimeout)
    static let maxRejected = Setting<Double>(
        "--max-rejected", "TALLY_MAX_REJECTED",
        "Exit non-zero when more than this share of the input lines is rejected (malformed, invalid, too old, outliers).",
        default: nil, shownAs: "no limit", allowed: "0 to 1", check: { (0...1).contains($0) ? nil : "must be a share from 0 to 1" })
}
