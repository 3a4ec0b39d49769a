import ArgumentParser
import TallyCore
import TallyIO

/// `tally count --merge`: the shard lines of several `tally count --shard ID` processes in (files, stdin or a
/// Kafka topic), the results one processor over all their input would give out.
enum CountMerge {
    static func run(_ command: CountCommand, settings: ProcessingSettings, retention: Duration) async throws {
        guard command.shard == nil else { throw ValidationError("--merge reads shards' output; it is not a shard itself (drop --shard)") }
        guard command.threads == 1 else { throw ValidationError("--threads is for counting frames, not for --merge") }
        // Windows, estimate and precision come with the shards' sketches; frame options have no frames to act on.
        let ignored = [
            ("--windows", command.windows != nil), ("--exact", command.exact), ("--precision", command.precision != nil),
            ("--validate", command.validate), ("--user-field", command.userField != nil),
            ("--time-field", command.timeField != nil), ("--lateness", command.lateness != nil),
            ("--max-ahead", command.eventTime.maxAhead != nil), ("--corroboration", command.eventTime.corroboration != nil),
            ("--emit", command.emit != .final), ("--format", command.format != .ndjson),
        ]
        .filter(\.1).map(\.0)
        guard ignored.isEmpty else {
            throw ValidationError("--merge takes windows and estimates from the shards' sketches; drop \(ignored.joined(separator: ", "))")
        }
        try await settings.run { saved in
            MergeProcessing(
                stream: try saved.map { try MergeStream(retention: retention, checkpoint: $0) } ?? MergeStream(retention: retention))
        }
    }
}
