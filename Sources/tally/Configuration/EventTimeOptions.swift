import ArgumentParser
import TallyCore

/// The event-clock and input-quality options `tally count` and `tally resume` share (docs/design.md, "Event time").
struct EventTimeOptions: ParsableArguments {
    @Option(help: EventTimeSettings.maxAhead.help)
    var maxAhead: DurationArgument?

    @Option(help: EventTimeSettings.corroboration.help)
    var corroboration: Int?

    @Option(help: EventTimeSettings.idleTimeout.help)
    var idleTimeout: DurationArgument?

    @Option(help: EventTimeSettings.maxRejected.help)
    var maxRejected: Double?

    struct Resolved {
        var maxAhead: Duration
        var corroboration: Int
        var idleTimeout: Duration
        var maxRejected: Double?
    }

    func resolve() throws -> Resolved {
        Resolved(
            maxAhead: try EventTimeSettings.maxAhead.resolve(maxAhead).duration,
            corroboration: try EventTimeSettings.corroboration.resolve(corroboration),
            idleTimeout: try EventTimeSettings.idleTimeout.resolve(idleTimeout).duration,
            maxRejected: try EventTimeSettings.maxRejected.resolveOptional(maxRejected))
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
            throw CLIError(
                "\(command): \(rejected) of \(lines) lines (\(Int((share * 100).rounded()))%) were rejected, more than --max-rejected \(maxRejected)"
            )
        }
    }
}
