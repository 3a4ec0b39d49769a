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
