import TallyCore
import TallyIO

/// `tally count --from kafka://…`: frames in, window results out, keyed `window/start`.
struct KafkaCountStream: KafkaProcessedStream {
    static let command = "count"
    var stream: CountStream
    /// `--emit updates=INTERVAL`: provisional results of open windows this often.
    let updates: Duration?
    let maxRejected: Double?
    var lastUpdateMs: Int64 = 0

    mutating func consume(record: UnsafeRawBufferPointer, partition: Int, offset: Int64, clockMs: Int64, output: inout [UInt8]) {
        stream.feed(record: record, partition: partition, offset: offset, clockMs: clockMs, output: &output)
    }

    mutating func register(partition: Int, clockMs: Int64) { stream.register(partition: partition, clockMs: clockMs) }
    mutating func remove(partition: Int, output: inout [UInt8]) { stream.remove(partition: partition, output: &output) }
    mutating func adopt(_ handover: PartitionClockHandover, partition: Int, clockMs: Int64, output: inout [UInt8]) {
        stream.adopt(handover, partition: partition, clockMs: clockMs, output: &output)
    }
    func handover(partition: Int) -> PartitionClockHandover? { stream.counter.clock.handover(partition: partition) }
    func oldestHeldOffset(partition: Int) -> Int64? { stream.counter.clock.oldestHeldPosition(partition: partition) }
    mutating func partitionIdle(_ partition: Int, output: inout [UInt8]) { stream.partitionIdle(partition, output: &output) }
    func partitionsAhead(by maxSkew: Duration) -> Set<Int> { stream.counter.clock.partitionsAhead(by: maxSkew) }
    mutating func keepAlive(partition: Int, clockMs: Int64) { stream.keepAlive(partition: partition, clockMs: clockMs) }

    mutating func endOfBatch(clockMs: Int64, output: inout [UInt8]) {
        provisional(clockMs: clockMs, output: &output)
    }

    mutating func idle(clockMs: Int64, output: inout [UInt8]) {
        stream.idle(clockMs: clockMs, output: &output)
        provisional(clockMs: clockMs, output: &output)
    }

    private mutating func provisional(clockMs: Int64, output: inout [UInt8]) {
        guard let updates, clockMs - lastUpdateMs >= updates.milliseconds else { return }
        lastUpdateMs = clockMs
        stream.provisional(output: &output)
    }

    mutating func finish(output: inout [UInt8]) { stream.finish(output: &output) }
    func checkpoint() -> [UInt8] { stream.checkpoint() }
    var records: Int { stream.statistics.lines }
    func progressFields(_ progress: ProgressReporter) -> [(String, String)] { CountCommand.progressFields(stream, progress) }
    func report(_ progress: ProgressReporter) { CountCommand.report(stream, progress) }
    func checkOutcome() throws { try CountCommand.outcome(stream).check(maxRejected: maxRejected, command: "count", noun: "frame") }

    /// `window/start`, e.g. `minute/2016-07-11T13:39:00Z`: the results and revisions of one window stay in order.
    static func resultKey(_ line: ArraySlice<UInt8>) -> [UInt8] {
        Array(stringMember("window", in: line)) + [0x2F] + Array(stringMember("start", in: line))
    }
}
