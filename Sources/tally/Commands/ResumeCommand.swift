import ArgumentParser
import TallyCore
import TallyIO

/// `tally resume`: the heartbeat brief's one-minute resume-position windows over NDJSON from stdin or files.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Emit each user's last position per movie for every closed one-minute window.",
        discussion: """
            Reads NDJSON heartbeats ({"userId","movieId","duration","position","timestamp"}) from FILEs (plain or
            .gz) or stdin, and writes one JSON array per user per closed window to stdout. A window closes when the
            watermark passes its end (the slowest partition's newest trusted timestamp minus --lateness; see
            --max-ahead and --corroboration), when the input has been idle for --idle-timeout, or at end of input. Progress and the final summary go to stderr.
            With --from kafka://HOST:PORT/TOPIC it consumes heartbeats in a consumer group instead (see --checkpoint).
            """
    )

    @Argument(help: "Input files (plain or gzip); stdin when none or '-'.")
    var files: [String] = []

    @Option(help: ResumeSettings.window.help)
    var window: WindowUnit?

    @Option(help: ResumeSettings.lateness.help)
    var lateness: DurationArgument?

    @Option(help: ResumeSettings.late.help)
    var late: LatePolicy?

    @Option(help: ResumeSettings.retention.help)
    var retention: DurationArgument?

    @Option(help: "compact (one array per line) or pretty (the brief's layout, window headers on stderr).")
    var format: ResumeOutputFormat = .compact

    @Option(name: .shortAndLong, help: "Output file; '-' is stdout.")
    var output: String = "-"

    @Flag(help: "Stop at the first invalid line instead of skipping it.")
    var strict = false

    @Option(
        help:
            "Save the state (and with --from the partition offsets) here atomically every --checkpoint-interval and at exit; a restart with the same file continues exactly where it stopped (file inputs or --from, not stdin)."
    )
    var checkpoint: String?

    @Option(help: "How often to save the checkpoint (and with --from commit offsets).")
    var checkpointInterval: DurationArgument = DurationArgument(.seconds(10))

    @OptionGroup(title: "Event time and input checks")
    var eventTime: EventTimeOptions

    @OptionGroup(title: "Kafka")
    var kafka: KafkaSourceOptions

    func run() async throws {
        for warning in ResumeSettings.renamedWarnings(EnvironmentResolver().environment) { ProgressReporter.writeStderr(warning) }
        let eventTime = try self.eventTime.resolve()
        let configuration = ResumeConfiguration(
            window: try ResumeSettings.window.resolve(window),
            lateness: try ResumeSettings.lateness.resolve(lateness).duration,
            idleTimeout: eventTime.idleTimeout,
            late: try ResumeSettings.late.resolve(late),
            retention: try ResumeSettings.retention.resolve(retention).duration,
            maxAhead: eventTime.maxAhead, corroboration: eventTime.corroboration)
        if kafka.isKafka, format != .compact {
            throw ValidationError("--format pretty is for terminals; --from writes compact arrays")
        }
        let settings = ProcessingSettings(
            files: files, kafka: kafka, output: output, checkpoint: checkpoint, checkpointInterval: checkpointInterval.duration)
        try await settings.run { saved in
            ResumeProcessing(
                stream: try saved.map { try ResumeStream(configuration: configuration, checkpoint: $0, format: format, strict: strict) }
                    ?? ResumeStream(configuration: configuration, format: format, strict: strict),
                maxRejected: eventTime.maxRejected)
        }
    }
}
