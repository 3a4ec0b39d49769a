import ArgumentParser
import TallyCore
import TallyIO

/// `tally count --merge`: the shard lines of several `tally count --shard ID` processes in (files, stdin or a
/// Kafka topic), the results one processor over all their input would give out.
enum CountMerge {
    static func run(_ command: CountCommand, retention: Duration) async throws {
        guard command.shard == nil else { throw ValidationError("--merge reads shards' output; it is not a shard itself (drop --shard)") }
        guard command.threads == 1 else { throw ValidationError("--threads is for counting frames, not for --merge") }
        // Windows, estimate and precision come with the shards' sketches; frame options have no frames to act on.
        let ignored = [
            ("--windows", command.windows != nil), ("--exact", command.exact), ("--precision", command.precision != nil),
            ("--validate", command.validate), ("--user-field", command.userField != nil),
            ("--time-field", command.timeField != nil), ("--lateness", command.lateness != nil),
            ("--max-ahead", command.eventTime.maxAhead != nil), ("--corroboration", command.eventTime.corroboration != nil),
            ("--emit", command.emit != .final),
        ]
        .filter(\.1).map(\.0)
        guard ignored.isEmpty else {
            throw ValidationError("--merge takes windows and estimates from the shards' sketches; drop \(ignored.joined(separator: ", "))")
        }
        if command.kafka.isKafka {
            guard command.files.isEmpty else { throw ValidationError("--from reads Kafka; it takes no input files") }
            let settings = KafkaProcessing.Settings(
                options: command.kafka, checkpoint: command.checkpoint,
                checkpointInterval: command.checkpointInterval.duration, output: command.output)
            try await KafkaProcessing.run(settings) { saved in
                KafkaMergeStream(
                    stream: try saved.map { try MergeStream(retention: retention, checkpoint: $0) }
                        ?? MergeStream(retention: retention))
            }
            return
        }
        guard command.checkpoint == nil else {
            throw ValidationError("--checkpoint with --merge is for --from kafka://…; files are simply merged again")
        }
        var stream = MergeStream(retention: retention)
        let sink = try OutputSink(path: command.output)
        let progress = ProgressReporter(command: "merge")
        var buffer: [UInt8] = []
        for path in command.files.isEmpty ? ["-"] : command.files {
            let live = path == "-"
            try InputReader(path: path).forEachChunk(idleTimeout: live ? .seconds(1) : nil) {
                try sink.flush()
            } _: { chunk in
                stream.feed(chunk)
                if live {
                    // A live stream's merged results are due as soon as its shards' lines arrive.
                    stream.flush(output: &buffer)
                    try sink.write(buffer)
                    try sink.flush()
                    buffer.removeAll(keepingCapacity: true)
                }
                progress.tick { progressFields(stream, progress) }
            }
        }
        stream.finish(output: &buffer)
        try sink.write(buffer)
        try sink.flush()
        report(stream, progress)
    }

    static func progressFields(_ stream: MergeStream, _ progress: ProgressReporter) -> [(String, String)] {
        let s = stream.merger.statistics
        return [
            ("lines", "\(s.lines)"),
            ("rate", ProgressReporter.compact(Double(s.lines) / max(progress.elapsedSeconds, 1e-9)) + "/s"),
            ("windows", "\(stream.merger.openWindows)"), ("invalid", "\(s.invalid)"),
        ]
    }

    static func report(_ stream: MergeStream, _ progress: ProgressReporter) {
        for problem in stream.merger.firstProblems {
            ProgressReporter.writeStderr("merge: line \(problem.line): \(problem.message)\n")
        }
        let s = stream.merger.statistics
        progress.summary([
            ("lines", "\(s.lines)"), ("contributions", "\(s.contributions)"), ("invalid", "\(s.invalid)"),
            ("blank", "\(s.blank)"), ("superseded", "\(s.superseded)"), ("rejected_too_old", "\(s.rejectedTooOld)"),
            ("results", "\(s.results)"), ("seconds", String(format3: progress.elapsedSeconds)),
        ])
    }
}
