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

    @Option(name: .shortAndLong, help: "Output file; '-' is stdout.")
    var output: String = "-"

    @Option(
        help:
            "Save the state here atomically every --checkpoint-interval and at exit; a rerun with the same file resumes where it stopped. Needs file inputs."
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
            try await CountMerge.run(self, retention: setup.configuration.retention)
            return
        }
        if let shard, shard.isEmpty || shard.utf8.count > 256 { throw ValidationError("--shard needs an id of 1 to 256 bytes") }
        if kafka.isKafka {
            guard files.isEmpty else { throw ValidationError("--from reads Kafka; it takes no input files") }
            guard threads == 1 else { throw ValidationError("--threads is for file inputs; scale Kafka with more consumers in the group") }
            let settings = KafkaProcessing.Settings(
                options: kafka, checkpoint: checkpoint,
                checkpointInterval: checkpointInterval.duration, output: output)
            try await KafkaProcessing.run(settings) { saved in
                let stream =
                    try saved.map {
                        try CountStream(
                            configuration: setup.configuration, checkpoint: $0, userField: setup.userField,
                            timeField: setup.timeField, validate: validate)
                    }
                    ?? CountStream(
                        configuration: setup.configuration, userField: setup.userField, timeField: setup.timeField,
                        validate: validate)
                var counting = KafkaCountStream(stream: stream, updates: setup.updates, maxRejected: setup.maxRejected)
                counting.stream.shard = shard
                return counting
            }
            return
        }
        let configuration = setup.configuration
        let userField = setup.userField
        let timeField = setup.timeField
        let updates = setup.updates
        let inputs = files.isEmpty ? ["-"] : files
        var stream = CountStream(configuration: configuration, userField: userField, timeField: timeField, validate: validate)
        stream.shard = shard
        var resumeIndex = 0
        var resumeOffset = 0
        if let checkpoint {
            guard !inputs.contains("-") else { throw ValidationError("--checkpoint needs file inputs: stdin cannot be rewound to resume") }
            guard checkpointInterval.duration > .zero else { throw ValidationError("--checkpoint-interval must be positive") }
            if let saved = try CountCheckpoint.load(from: checkpoint) {
                guard saved.inputs == inputs else {
                    throw ValidationError("checkpoint \(checkpoint) was made for other inputs: \(saved.inputs.joined(separator: " "))")
                }
                if saved.finished {
                    ProgressReporter.writeStderr("count: checkpoint \(checkpoint) says these inputs were fully counted; nothing to do\n")
                    return
                }
                do {
                    stream = try CountStream(
                        configuration: configuration, checkpoint: saved.state, userField: userField,
                        timeField: timeField, validate: validate)
                    stream.shard = shard
                } catch {
                    throw CheckpointFile.unusable(checkpoint, error)
                }
                resumeIndex = saved.fileIndex
                resumeOffset = saved.fileOffset
                ProgressReporter.writeStderr(
                    "count: resuming from \(checkpoint): input \(resumeIndex + 1) of \(inputs.count) at byte \(resumeOffset)\n")
            }
        }
        let sink = try OutputSink(path: output)
        let progress = ProgressReporter(command: "count")
        let clock = ContinuousClock()
        let origin = clock.now
        var lastUpdate = origin
        var lastCheckpoint = origin
        var buffer: [UInt8] = []
        func flush(live: Bool) throws {
            if let updates, clock.now - lastUpdate >= updates {
                lastUpdate = clock.now
                stream.provisional(output: &buffer)
            }
            if !buffer.isEmpty {
                try sink.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
            if live { try sink.flush() }
        }
        /// Output first, then the state that produced it: a crash between the two re-emits, never loses.
        func saveCheckpoint(index: Int, offset: Int, finished: Bool) throws {
            guard let checkpoint else { return }
            try flush(live: true)
            try CountCheckpoint(
                inputs: inputs, fileIndex: index, fileOffset: offset, finished: finished,
                state: stream.checkpoint()
            ).save(to: checkpoint)
            lastCheckpoint = clock.now
        }
        guard threads >= 1, threads <= 64 else { throw ValidationError("--threads must be from 1 to 64") }
        guard threads == 1 || !inputs.contains("-") else {
            throw ValidationError("--threads needs file inputs; a live stdin stream is counted on one thread")
        }
        let blockScanner = FrameBlockScanner(userField: userField, timeField: timeField, validate: validate, exact: exact)
        for (index, path) in inputs.enumerated() where index >= resumeIndex {
            if threads > 1 {
                let skip = index == resumeIndex ? resumeOffset : 0
                let fileStart = stream.processedBytes - skip
                try await ParallelCount(threads: threads, scanner: blockScanner).run(path: path, skip: skip) { scanned in
                    for block in scanned { stream.apply(block, output: &buffer) }
                    try flush(live: false)
                    progress.tick { Self.progressFields(stream, progress) }
                    if checkpoint != nil, clock.now - lastCheckpoint >= checkpointInterval.duration {
                        try saveCheckpoint(index: index, offset: stream.processedBytes - fileStart, finished: false)
                    }
                }
                continue
            }
            let reader = try InputReader(path: path)
            let live = path == "-"
            var skip = index == resumeIndex ? resumeOffset : 0
            let fileStart = stream.processedBytes - skip
            try reader.forEachChunk(idleTimeout: live ? .seconds(1) : nil) {
                stream.idle(clockMs: (clock.now - origin).milliseconds, output: &buffer)
                try flush(live: true)
            } _: { chunk in
                var chunk = chunk
                if skip > 0 {
                    let dropped = min(skip, chunk.count)
                    skip -= dropped
                    chunk = UnsafeRawBufferPointer(rebasing: chunk[dropped...])
                }
                stream.feed(chunk, clockMs: (clock.now - origin).milliseconds, output: &buffer)
                try flush(live: live)
                progress.tick { Self.progressFields(stream, progress) }
                if checkpoint != nil, clock.now - lastCheckpoint >= checkpointInterval.duration {
                    try saveCheckpoint(index: index, offset: stream.processedBytes - fileStart, finished: false)
                }
            }
            stream.endOfFile(output: &buffer)
        }
        stream.finish(output: &buffer)
        try flush(live: true)
        try sink.flush()
        try saveCheckpoint(index: inputs.count, offset: 0, finished: true)
        Self.report(stream, progress)
        try Self.outcome(stream).check(maxRejected: setup.maxRejected, command: "count", noun: "frame")
    }

    /// Rejected lines are everything but counted frames and blank lines.
    static func outcome(_ stream: CountStream) -> RunOutcome {
        let s = stream.statistics
        return RunOutcome(
            lines: s.lines - s.blankLines, counted: s.counted,
            rejected: s.lines - s.blankLines - s.counted - s.handedOver)
    }

    static func progressFields(_ stream: CountStream, _ progress: ProgressReporter) -> [(String, String)] {
        let seconds = max(progress.elapsedSeconds, 1e-9)
        let statistics = stream.statistics
        return [
            ("frames", "\(statistics.lines)"),
            ("rate", ProgressReporter.compact(Double(statistics.lines) / seconds) + "/s"),
            ("MB/s", String(format1: Double(stream.bytesRead) / seconds / 1e6)),
            ("watermark", stream.counter.watermark.map { ISO8601.format($0, style: .zulu) } ?? "-"),
            ("open_windows", "\(stream.counter.openWindows)"),
            ("held", "\(stream.counter.clock.heldEvents)"),
        ]
    }

    static func report(_ stream: CountStream, _ progress: ProgressReporter) {
        for problem in stream.firstProblems {
            ProgressReporter.writeStderr("count: line \(problem.line), byte \(problem.offset): \(problem.message)\n")
        }
        let s = stream.statistics
        let seconds = max(progress.elapsedSeconds, 1e-9)
        progress.summary([
            ("lines", "\(s.lines)"), ("counted", "\(s.counted)"), ("late", "\(s.late)"),
            ("rejected_too_old", "\(s.rejectedTooOld)"), ("rejected_outlier", "\(s.rejectedOutliers)"),
            ("handed_over", "\(s.handedOver)"),
            ("malformed", "\(s.malformed)"), ("missing_fields", "\(s.missingFields)"), ("invalid_fields", "\(s.invalidFields)"),
            ("blank", "\(s.blankLines)"), ("windows", "\(s.windowsClosed)"), ("revisions", "\(s.revisions)"),
            ("seconds", String(format3: seconds)), ("frames_per_second", "\(Int(Double(s.lines) / seconds))"),
            ("mb_per_second", String(format1: Double(stream.bytesRead) / seconds / 1e6)),
        ])
    }
}
