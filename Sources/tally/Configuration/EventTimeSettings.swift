import TallyCore

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
