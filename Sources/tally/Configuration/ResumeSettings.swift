import TallyCore

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
