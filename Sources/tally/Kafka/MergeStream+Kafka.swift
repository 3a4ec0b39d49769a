import TallyCore
import TallyIO

/// `tally count --merge --from kafka://…`: shard lines in, merged window results out (one per changed window and
/// batch), keyed `window/start` like a single processor's.
struct KafkaMergeStream: KafkaProcessedStream {
    static let command = "merge"
    var stream: MergeStream

    mutating func consume(record: UnsafeRawBufferPointer, partition: Int, offset: Int64, clockMs: Int64, output: inout [UInt8]) {
        stream.feed(record: record)
    }

    mutating func endOfBatch(clockMs: Int64, output: inout [UInt8]) {
        stream.flush(output: &output)
    }

    mutating func idle(clockMs: Int64, output: inout [UInt8]) {}
    mutating func finish(output: inout [UInt8]) { stream.finish(output: &output) }
    func checkpoint() -> [UInt8] { stream.checkpoint() }
    var records: Int { stream.lines }
    func progressFields(_ progress: ProgressReporter) -> [(String, String)] { CountMerge.progressFields(stream, progress) }
    func report(_ progress: ProgressReporter) { CountMerge.report(stream, progress) }
    static func resultKey(_ line: ArraySlice<UInt8>) -> [UInt8] { KafkaCountStream.resultKey(line) }
}
