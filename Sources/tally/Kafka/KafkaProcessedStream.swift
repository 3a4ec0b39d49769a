import TallyCore
import TallyIO

/// What the Kafka processing loop drives: a TallyCore stream that takes records (one frame, heartbeat or shard line
/// per message) and writes result lines, and whose whole state fits in a checkpoint. `tally count`, `tally resume`
/// and `tally count --merge` differ only here.
protocol KafkaProcessedStream: Sendable {
    /// Names the command in messages ("count", "resume").
    static var command: String { get }
    /// One message's value at `offset` of `partition`, borrowed from the consumer (no copy).
    mutating func consume(record: UnsafeRawBufferPointer, partition: Int, offset: Int64, clockMs: Int64, output: inout [UInt8]) throws
    /// Partitions the group assigned to this member: each holds the event clock back until it has records or goes
    /// idle. Revoked ones stop holding it.
    mutating func register(partition: Int, clockMs: Int64)
    mutating func remove(partition: Int, output: inout [UInt8])
    /// A newly assigned partition whose previous owner committed its clock with its offset: the clock continues.
    mutating func adopt(_ handover: PartitionClockHandover, partition: Int, clockMs: Int64, output: inout [UInt8])
    /// The partition's clock, for the metadata of its committed offset (nil: nothing to hand over).
    func handover(partition: Int) -> PartitionClockHandover?
    /// The offset of the partition's oldest held record: offsets are committed no further, so a partition's next
    /// owner reads again what this one's clock still holds.
    func oldestHeldOffset(partition: Int) -> Int64?
    /// The end of a partition (`--until-end`): it stops holding the event clock back.
    mutating func partitionIdle(_ partition: Int, output: inout [UInt8])
    /// Partitions whose event time runs more than `maxSkew` ahead of the slowest (to pause).
    func partitionsAhead(by maxSkew: Duration) -> Set<Int>
    /// A paused partition is not idle: it has records, the processor is holding them back.
    mutating func keepAlive(partition: Int, clockMs: Int64)
    /// After each polled batch of records: emits what is due once per batch rather than per record.
    mutating func endOfBatch(clockMs: Int64, output: inout [UInt8])
    /// No record arrived: lets the watermark follow the wall clock, and emits what is due.
    mutating func idle(clockMs: Int64, output: inout [UInt8])
    /// End of the input: flushes every window.
    mutating func finish(output: inout [UInt8]) throws
    func checkpoint() -> [UInt8]
    /// Records read so far, for the rate.
    var records: Int { get }
    func progressFields(_ progress: ProgressReporter) -> [(String, String)]
    func report(_ progress: ProgressReporter)
    /// Throws when the run counted nothing, or rejected more than `--max-rejected` (checked after `report`).
    func checkOutcome() throws
    /// The Kafka key of a result line: results that must stay in order share a key, and so a partition.
    static func resultKey(_ line: ArraySlice<UInt8>) -> [UInt8]
}

extension KafkaProcessedStream {
    // Streams without an event clock (the merge of shard results) ignore partitions.
    mutating func register(partition: Int, clockMs: Int64) {}
    mutating func remove(partition: Int, output: inout [UInt8]) {}
    mutating func adopt(_ handover: PartitionClockHandover, partition: Int, clockMs: Int64, output: inout [UInt8]) {}
    func handover(partition: Int) -> PartitionClockHandover? { nil }
    func oldestHeldOffset(partition: Int) -> Int64? { nil }
    mutating func partitionIdle(_ partition: Int, output: inout [UInt8]) {}
    func partitionsAhead(by maxSkew: Duration) -> Set<Int> { [] }
    mutating func keepAlive(partition: Int, clockMs: Int64) {}
    func checkOutcome() throws {}

    /// The string value of the first `"name":"…"` member of a result line (escapes kept as written).
    static func stringMember(_ name: String, in line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let marker = Array("\"\(name)\":\"".utf8)
        guard let start = line.firstRange(of: marker)?.upperBound else { return [] }
        var index = start
        while index < line.endIndex, line[index] != 0x22 {
            index += line[index] == 0x5C ? 2 : 1
        }
        return line[start..<min(index, line.endIndex)]
    }
}
