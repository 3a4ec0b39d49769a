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
            "With --from: save the state and partition offsets here atomically every --checkpoint-interval and at exit; a restart with the same file continues exactly where it stopped."
    )
    var checkpoint: String?

    @Option(help: "How often to save the checkpoint (and commit offsets) with --from.")
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
        if kafka.isKafka {
            guard files.isEmpty else { throw ValidationError("--from reads Kafka; it takes no input files") }
            guard format == .compact else { throw ValidationError("--format pretty is for terminals; --from writes compact arrays") }
            let settings = KafkaProcessing.Settings(
                options: kafka, checkpoint: checkpoint,
                checkpointInterval: checkpointInterval.duration, output: output)
            try await KafkaProcessing.run(settings) { saved in
                KafkaResumeStream(
                    stream: try saved.map {
                        try ResumeStream(configuration: configuration, checkpoint: $0, strict: strict)
                    } ?? ResumeStream(configuration: configuration, strict: strict), maxRejected: eventTime.maxRejected)
            }
            return
        }
        guard checkpoint == nil else { throw ValidationError("--checkpoint is for --from kafka://…; a file is simply read again") }
        let sink = try OutputSink(path: output)
        var stream = ResumeStream(configuration: configuration, format: format, strict: strict)
        let progress = ProgressReporter(command: "resume")
        let clock = ContinuousClock()
        let origin = clock.now
        func clockMs() -> Int64 { (clock.now - origin).milliseconds }
        var buffer: [UInt8] = []
        func emit() throws {
            guard !buffer.isEmpty else { return }
            if format == .pretty {
                try sink.flush()
                for window in stream.takeEmittedWindows() {
                    ProgressReporter.writeStderr("window \(window.start) .. \(window.end)\n")
                }
            }
            try sink.write(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
        do {
            for path in files.isEmpty ? ["-"] : files {
                let reader = try InputReader(path: path)
                let live = path == "-"
                try reader.forEachChunk(idleTimeout: live ? configuration.idleTimeout : nil) {
                    stream.idle(clockMs: clockMs(), output: &buffer)
                    try emit()
                    try sink.flush()
                } _: { chunk in
                    try stream.feed(chunk, clockMs: clockMs(), output: &buffer)
                    try emit()
                    if live { try sink.flush() }
                    progress.tick { Self.progressFields(stream, progress) }
                }
            }
            try stream.finish(output: &buffer)
            try emit()
            try sink.flush()
        } catch let error as ResumeStream.StrictModeError {
            try? sink.flush()
            Self.report(stream, progress)
            throw CLIError("line \(error.invalid.line): \(error.invalid.message) (--strict)")
        }
        Self.report(stream, progress)
        try Self.outcome(stream).check(maxRejected: eventTime.maxRejected, command: "resume", noun: "heartbeat")
    }

    /// Rejected lines: invalid ones and heartbeats never corroborated (late ones are the --late policy's business).
    static func outcome(_ stream: ResumeStream) -> RunOutcome {
        let stats = stream.processor.statistics
        let blank = stream.lines - stats.events - stream.invalidLines
        return RunOutcome(
            lines: stream.lines - blank, counted: stats.events - stats.rejectedOutliers - stats.handedOver,
            rejected: stream.invalidLines + stats.rejectedOutliers)
    }

    static func progressFields(_ stream: ResumeStream, _ progress: ProgressReporter) -> [(String, String)] {
        let stats = stream.processor.statistics
        return [
            ("events", "\(stats.events)"),
            ("rate", ProgressReporter.compact(Double(stats.events) / max(progress.elapsedSeconds, 1e-9)) + "/s"),
            ("open_windows", "\(stream.processor.openWindows)"),
            ("late", "\(stats.late)"),
            ("held", "\(stream.processor.clock.heldEvents)"),
            ("invalid", "\(stream.invalidLines)"),
        ]
    }

    static func report(_ stream: ResumeStream, _ progress: ProgressReporter) {
        for invalid in stream.firstInvalid {
            ProgressReporter.writeStderr("resume: line \(invalid.line): \(invalid.message)\n")
        }
        let stats = stream.processor.statistics
        let seconds = progress.elapsedSeconds
        progress.summary([
            ("lines", "\(stream.lines)"), ("events", "\(stats.events)"), ("invalid", "\(stream.invalidLines)"),
            ("late", "\(stats.late)"), ("late_revised", "\(stats.lateRevised)"), ("late_dropped", "\(stats.lateDropped)"),
            ("rejected_outlier", "\(stats.rejectedOutliers)"), ("handed_over", "\(stats.handedOver)"),
            ("windows", "\(stats.windowsClosed)"), ("arrays", "\(stats.outputs)"),
            ("seconds", String(format3: seconds)),
            ("events_per_second", "\(Int(Double(stats.events) / max(seconds, 1e-9)))"),
        ])
    }
}
