import TallyCore
import TallyIO

/// `tally resume --from kafka://…`: heartbeats in, one resume array per user and window out, keyed by user id.
struct KafkaResumeStream: KafkaProcessedStream {
    static let command = "resume"
    var stream: ResumeStream
    let maxRejected: Double?

    mutating func consume(record: UnsafeRawBufferPointer, partition: Int, offset: Int64, clockMs: Int64, output: inout [UInt8]) throws {
        try stream.feed(record: record, partition: partition, offset: offset, clockMs: clockMs, output: &output)
    }

    mutating func register(partition: Int, clockMs: Int64) { stream.register(partition: partition, clockMs: clockMs) }
    mutating func remove(partition: Int, output: inout [UInt8]) { stream.remove(partition: partition, output: &output) }
    mutating func adopt(_ handover: PartitionClockHandover, partition: Int, clockMs: Int64, output: inout [UInt8]) {
        stream.adopt(handover, partition: partition, clockMs: clockMs, output: &output)
    }
    func handover(partition: Int) -> PartitionClockHandover? { stream.processor.clock.handover(partition: partition) }
    func oldestHeldOffset(partition: Int) -> Int64? { stream.processor.clock.oldestHeldPosition(partition: partition) }
    mutating func partitionIdle(_ partition: Int, output: inout [UInt8]) { stream.partitionIdle(partition, output: &output) }
    func partitionsAhead(by maxSkew: Duration) -> Set<Int> { stream.processor.clock.partitionsAhead(by: maxSkew) }
    mutating func keepAlive(partition: Int, clockMs: Int64) { stream.keepAlive(partition: partition, clockMs: clockMs) }

    mutating func endOfBatch(clockMs: Int64, output: inout [UInt8]) {}

    mutating func idle(clockMs: Int64, output: inout [UInt8]) { stream.idle(clockMs: clockMs, output: &output) }
    mutating func finish(output: inout [UInt8]) throws { try stream.finish(output: &output) }
    func checkpoint() -> [UInt8] { stream.checkpoint() }
    var records: Int { stream.lines }
    func progressFields(_ progress: ProgressReporter) -> [(String, String)] { ResumeCommand.progressFields(stream, progress) }
    func report(_ progress: ProgressReporter) { ResumeCommand.report(stream, progress) }
    func checkOutcome() throws { try ResumeCommand.outcome(stream).check(maxRejected: maxRejected, command: "resume", noun: "heartbeat") }

    /// The user id: one user's arrays (and their revisions) stay in order.
    static func resultKey(_ line: ArraySlice<UInt8>) -> [UInt8] { Array(stringMember("userId", in: line)) }
}
