import ArgumentParser
import TallyCore

/// The event-clock and input-quality options `tally count` and `tally resume` share (docs/design.md, "Event time").
struct EventTimeOptions: ParsableArguments {
    @Option(help: "Events further ahead of their partition's time than this wait until --corroboration users reach that time; never corroborated, they are rejected as outliers. [env: TALLY_MAX_AHEAD] (default: 5m)")
    var maxAhead: DurationArgument?

    @Option(help: "Distinct users that must agree before a partition's event time jumps ahead (or starts). [env: TALLY_CORROBORATION] (default: 3)")
    var corroboration: Int?

    @Option(help: "A partition (or stdin) with no event for this long (wall clock) stops holding the watermark back; when all are idle the watermark follows the wall clock. [env: TALLY_IDLE_TIMEOUT] (default: 5s)")
    var idleTimeout: DurationArgument?

    @Option(help: "Exit non-zero when more than this share (0 to 1) of the input lines is rejected (malformed, invalid, too old, outliers). [env: TALLY_MAX_REJECTED] (default: no limit)")
    var maxRejected: Double?

    struct Resolved {
        var maxAhead: Duration
        var corroboration: Int
        var idleTimeout: Duration
        var maxRejected: Double?
    }

    func resolve() throws -> Resolved {
        let env = EnvironmentResolver()
        let maxAhead = try env.value(self.maxAhead, "TALLY_MAX_AHEAD", default: DurationArgument(EventClockConfiguration.defaultMaxJump)).duration
        let corroboration = try env.value(self.corroboration, "TALLY_CORROBORATION", default: EventClockConfiguration.defaultCorroboration)
        let maxRejected = try env.optionalValue(self.maxRejected.map { "\($0)" }, "TALLY_MAX_REJECTED").map { text in
            guard let value = Double(text), (0...1).contains(value) else { throw ValidationError("--max-rejected must be a share from 0 to 1, not \(text)") }
            return value
        }
        let idleTimeout = try env.value(self.idleTimeout, "TALLY_IDLE_TIMEOUT", default: DurationArgument(.seconds(5))).duration
        guard idleTimeout > .zero else { throw ValidationError("--idle-timeout must be positive") }
        guard maxAhead > .zero else { throw ValidationError("--max-ahead must be positive") }
        guard (1...1000).contains(corroboration) else { throw ValidationError("--corroboration must be from 1 to 1000") }
        return Resolved(maxAhead: maxAhead, corroboration: corroboration, idleTimeout: idleTimeout, maxRejected: maxRejected)
    }
}

/// How a run over some input ended, for its exit status: a run that counted nothing of a non-empty input, or
/// rejected more than `--max-rejected` of it, fails (after its summary line), so scripts and CI notice.
struct RunOutcome {
    var lines: Int
    var counted: Int
    var rejected: Int

    func check(maxRejected: Double?, command: String, noun: String) throws {
        guard lines > 0 else { return }
        if counted == 0 {
            throw CLIError("\(command): none of the \(lines) input lines was counted as a \(noun) (see the summary above)")
        }
        if let maxRejected, Double(rejected) > maxRejected * Double(lines) {
            let share = Double(rejected) / Double(lines)
            throw CLIError("\(command): \(rejected) of \(lines) lines (\(Int((share * 100).rounded()))%) were rejected, more than --max-rejected \(maxRejected)")
        }
    }
}
