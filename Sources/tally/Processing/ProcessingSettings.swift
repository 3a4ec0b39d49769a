import ArgumentParser

/// Where a run's input comes from and where its results and state go: what `tally count`, `tally resume` and
/// `tally count --merge` share, so that each command only builds its stream.
struct ProcessingSettings {
    /// Input files; stdin when empty or "-".
    var files: [String]
    var kafka: KafkaSourceOptions
    /// Results go here ("-": stdout) unless `--to` names a topic.
    var output: String
    var checkpoint: String?
    var checkpointInterval: Duration

    /// Runs the stream over Kafka or over the files; `makeStream` builds it, from a checkpoint's state when there is
    /// one.
    func run<Stream: ProcessedStream>(makeStream: ([UInt8]?) throws -> Stream) async throws {
        guard checkpoint == nil || checkpointInterval > .zero else { throw ValidationError("--checkpoint-interval must be positive") }
        if kafka.isKafka {
            guard files.isEmpty else { throw ValidationError("--from reads Kafka; it takes no input files") }
            try await KafkaProcessing.run(self, makeStream: makeStream)
        } else {
            let inputs = files.isEmpty ? ["-"] : files
            try await InputProcessing<Stream>(
                inputs: inputs, output: output, checkpoint: checkpoint, checkpointInterval: checkpointInterval
            )
            .run(makeStream: makeStream)
        }
    }
}
