import ArgumentParser
import TallyCore
import TallyIO

/// `tally count`: unique users per minute, hour, day, week, month and year over a stream of JSON log frames.
struct CountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "Count unique users per minute, hour, day, week, month and year over JSON log frames.",
        discussion: """
            Reads one JSON object per line from FILEs (plain or .gz) or stdin and writes one JSON result per window
            to --output. A window's final result is emitted when the watermark (the slowest partition's newest
            trusted time minus --lateness; see --max-ahead and --corroboration) passes its end, and at end of input; late frames within --retention revise closed windows (revision + 1).
            The summary on stderr accounts for every input line.
            """
    )

    @Argument(help: "Input files (plain or gzip); stdin when none or '-'.")
    var files: [String] = []

    @Option(help: CountSettings.windows.help)
    var windows: String?

    @Option(help: CountSettings.userField.help)
    var userField: String?

    @Option(help: CountSettings.timeField.help)
    var timeField: String?

    @Option(help: CountSettings.lateness.help)
    var lateness: DurationArgument?

    @Option(help: CountSettings.retention.help)
    var retention: DurationArgument?

    @Flag(help: "Count exactly with sets of ids instead of HyperLogLog.")
    var exact = false

    @Option(help: CountSettings.precision.help)
    var precision: Int?

    @Option(
        help:
            "final (closed windows only) or updates[=INTERVAL] (also provisional results of open windows, every second or every INTERVAL).")
    var emit: EmitMode = .final

    @Flag(help: "Check the whole syntax of every frame, not only up to the two fields.")
    var validate = false

    @Option(help: "How frames arrive: ndjson (one JSON object per line) or tfr (Tally frame records, see tally convert).")
    var format: FrameFormat = .ndjson

    @Option(name: .shortAndLong, help: "Output file; '-' is stdout.")
    var output: String = "-"

    @Option(
        help:
            "Save the state here atomically every --checkpoint-interval and at exit; a rerun with the same file resumes where it stopped (file inputs or --from, not stdin)."
    )
    var checkpoint: String?

    @Option(help: "How often to save the checkpoint.")
    var checkpointInterval: DurationArgument = DurationArgument(.seconds(10))

    @Option(help: "Scan frames on this many threads (file inputs only); results are identical to one thread.")
    var threads: Int = 1

    @Option(
        help:
            "Write each window's result with its sketch, as shard ID, for `tally count --merge` (one stable id per processor; see docs/design.md)."
    )
    var shard: String?

    @Flag(
        help: "Merge the output of `tally count --shard` processes (from files, stdin or --from) into the totals one processor would give.")
    var merge = false

    @OptionGroup(title: "Event time and input checks")
    var eventTime: EventTimeOptions

    @OptionGroup(title: "Kafka")
    var kafka: KafkaSourceOptions

    /// What every source shares: the counting configuration and field names, from flags or `TALLY_*`.
    struct Setup {
        var configuration: CountConfiguration
        var userField: String
        var timeField: String
        var updates: Duration?
        var maxRejected: Double?
    }

    func setup() throws -> Setup {
        let unitsText = try CountSettings.windows.resolve(windows)
        var units: [WindowUnit] = []
        for name in unitsText.split(separator: ",") {
            guard let unit = WindowUnit(String(name)), CountConfiguration.supportedUnits.contains(unit) else {
                throw ValidationError("--windows: \(name) is not one of minute, hour, day, week, month, year")
            }
            units.append(unit)
        }
        let eventTime = try self.eventTime.resolve()
        let precision = try CountSettings.precision.resolve(self.precision)
        let configuration = CountConfiguration(
            units: units,
            lateness: try CountSettings.lateness.resolve(lateness).duration,
            retention: try CountSettings.retention.resolve(retention).duration,
            maxAhead: eventTime.maxAhead, corroboration: eventTime.corroboration, idleTimeout: eventTime.idleTimeout,
            exact: exact, precision: precision)
        return Setup(
            configuration: configuration,
            userField: try CountSettings.userField.resolve(userField),
            timeField: try CountSettings.timeField.resolve(timeField),
            updates: emit.updateInterval, maxRejected: eventTime.maxRejected)
    }

    func run() async throws {
        let setup = try setup()
        if merge {
            try await CountMerge.run(self, settings: processing, retention: setup.configuration.retention)
            return
        }
        if let shard, shard.isEmpty || shard.utf8.count > 256 { throw ValidationError("--shard needs an id of 1 to 256 bytes") }
        if format == .tfr {
            // Records carry the id and the time in fixed places: there are no field names to find and no JSON to check.
            let notForRecords = [
                ("--validate", validate), ("--user-field", userField != nil), ("--time-field", timeField != nil),
                ("--threads", threads != 1),
            ]
            .filter(\.1).map(\.0)
            guard notForRecords.isEmpty else {
                throw ValidationError("--format tfr reads records, not JSON; drop \(notForRecords.joined(separator: ", "))")
            }
        }
        guard threads >= 1, threads <= 64 else { throw ValidationError("--threads must be from 1 to 64") }
        if threads > 1 {
            guard !kafka.isKafka else {
                throw ValidationError("--threads is for file inputs; scale Kafka with more consumers in the group")
            }
            guard !files.isEmpty, !files.contains("-") else {
                throw ValidationError("--threads needs file inputs; a live stdin stream is counted on one thread")
            }
        }
        let parallel =
            threads > 1
            ? ParallelCount(
                threads: threads,
                scanner: FrameBlockScanner(userField: setup.userField, timeField: setup.timeField, validate: validate, exact: exact))
            : nil
        try await processing.run { saved in
            var stream =
                try saved.map {
                    try CountStream(
                        configuration: setup.configuration, checkpoint: $0, format: format, userField: setup.userField,
                        timeField: setup.timeField, validate: validate)
                }
                ?? CountStream(
                    configuration: setup.configuration, format: format, userField: setup.userField, timeField: setup.timeField,
                    validate: validate)
            stream.shard = shard
            return CountProcessing(stream: stream, updates: setup.updates, maxRejected: setup.maxRejected, parallel: parallel)
        }
    }

    /// Input, output and checkpoint: the part every processing command shares.
    var processing: ProcessingSettings {
        ProcessingSettings(
            files: files, kafka: kafka, output: output, checkpoint: checkpoint, checkpointInterval: checkpointInterval.duration)
    }
}
