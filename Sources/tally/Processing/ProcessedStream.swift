import TallyCore
import TallyIO

/// What the input loops drive: a TallyCore stream that takes bytes (chunks of files or stdin, or one Kafka record at
/// a time) and writes keyed results, and whose whole state fits in a checkpoint. `tally count`, `tally resume` and
/// `tally count --merge` differ only here; reading, output, progress and checkpoints are the loops' business
/// (`InputProcessing` for files and stdin, `KafkaProcessor` for a topic).
protocol ProcessedStream: Sendable {
    /// Names the command in messages ("count", "resume").
    static var command: String { get }

    /// A chunk of a file or stdin; lines may span chunks.
    mutating func feed(_ chunk: UnsafeRawBufferPointer, clockMs: Int64, output: inout ResultBuffer) throws
    /// The end of one input file: its last line ends there even without a newline.
    mutating func endOfFile(output: inout ResultBuffer) throws
    /// Bytes of file input whose lines are fully processed: a file checkpoint resumes after them.
    var processedBytes: Int { get }
    /// Reads a whole file from byte `skip` by the stream's own means, calling `afterBatch` after each batch, and
    /// returns true; false leaves the file to the loop's sequential reading (`tally count --threads` scans in
    /// parallel).
    mutating func read(
        file path: String, skip: Int, output: inout ResultBuffer,
        afterBatch: (inout Self, inout ResultBuffer) throws -> Void
    ) async throws -> Bool
    /// How long stdin may stay silent before `idle` lets the event clock follow the wall clock.
    var idleCheck: Duration { get }

    /// One message's value at `offset` of `partition`, borrowed from the consumer (no copy).
    mutating func consume(
        record: UnsafeRawBufferPointer, partition: Int, offset: Int64, clockMs: Int64, output: inout ResultBuffer) throws
    /// Partitions the group assigned to this member: each holds the event clock back until it has records or goes
    /// idle. Revoked ones stop holding it.
    mutating func register(partition: Int, clockMs: Int64)
    mutating func remove(partition: Int, output: inout ResultBuffer)
    /// A newly assigned partition whose previous owner committed its clock with its offset: the clock continues.
    mutating func adopt(_ handover: PartitionClockHandover, partition: Int, clockMs: Int64, output: inout ResultBuffer)
    /// The partition's clock, for the metadata of its committed offset (nil: nothing to hand over).
    func handover(partition: Int) -> PartitionClockHandover?
    /// The offset of the partition's oldest held record: offsets are committed no further, so a partition's next
    /// owner reads again what this one's clock still holds.
    func oldestHeldOffset(partition: Int) -> Int64?
    /// The end of a partition (`--until-end`): it stops holding the event clock back.
    mutating func partitionIdle(_ partition: Int, output: inout ResultBuffer)
    /// Partitions whose event time runs more than `maxSkew` ahead of the slowest (to pause).
    func partitionsAhead(by maxSkew: Duration) -> Set<Int>
    /// A paused partition is not idle: it has records, the processor is holding them back.
    mutating func keepAlive(partition: Int, clockMs: Int64)

    /// After each batch of input (a chunk of a file or stdin, or a polled batch of records): emits what is due once
    /// per batch rather than per line. `live`: someone waits on the results as they come (stdin, Kafka), unlike a
    /// file read to its end.
    mutating func endOfBatch(clockMs: Int64, live: Bool, output: inout ResultBuffer)
    /// No input arrived: lets the watermark follow the wall clock, and emits what is due.
    mutating func idle(clockMs: Int64, output: inout ResultBuffer)
    /// End of the input: flushes every window.
    mutating func finish(output: inout ResultBuffer) throws
    /// Lines for stderr that belong before the results now in the buffer (`--format pretty`'s window headers).
    mutating func takeNotices() -> [String]
    /// The stream's state, which the stream's checkpoint initialiser takes back.
    func checkpoint() -> [UInt8]
    /// Records read so far, for the rate.
    var records: Int { get }
    func progressFields(_ progress: ProgressReporter) -> [(String, String)]
    func report(_ progress: ProgressReporter)
    /// Throws when the run counted nothing, or rejected more than `--max-rejected` (checked after `report`).
    func checkOutcome() throws
    /// The error to show when `error` is the stream's own way of stopping (`--strict`); the loop then writes the
    /// results so far and the report first. nil: any other error, passed on as it is.
    func stopped(by error: any Error) -> (any Error)?
}

extension ProcessedStream {
    mutating func read(
        file path: String, skip: Int, output: inout ResultBuffer,
        afterBatch: (inout Self, inout ResultBuffer) throws -> Void
    ) async throws -> Bool { false }
    var idleCheck: Duration { .seconds(1) }
    // Streams without an event clock (the merge of shard results) ignore partitions.
    mutating func register(partition: Int, clockMs: Int64) {}
    mutating func remove(partition: Int, output: inout ResultBuffer) {}
    mutating func adopt(_ handover: PartitionClockHandover, partition: Int, clockMs: Int64, output: inout ResultBuffer) {}
    func handover(partition: Int) -> PartitionClockHandover? { nil }
    func oldestHeldOffset(partition: Int) -> Int64? { nil }
    mutating func partitionIdle(_ partition: Int, output: inout ResultBuffer) {}
    func partitionsAhead(by maxSkew: Duration) -> Set<Int> { [] }
    mutating func keepAlive(partition: Int, clockMs: Int64) {}
    mutating func takeNotices() -> [String] { [] }
    func checkOutcome() throws {}
    func stopped(by error: any Error) -> (any Error)? { nil }
}

/// A processed stream whose core stream has an event clock over partitions (`tally count`, `tally resume`): the
/// Kafka loop's partition calls go straight to it.
protocol PartitionedProcessedStream: ProcessedStream {
    associatedtype Core: PartitionedStream
    var stream: Core { get set }
}

extension PartitionedProcessedStream {
    mutating func register(partition: Int, clockMs: Int64) { stream.register(partition: partition, clockMs: clockMs) }
    mutating func remove(partition: Int, output: inout ResultBuffer) { stream.remove(partition: partition, output: &output) }
    mutating func adopt(_ handover: PartitionClockHandover, partition: Int, clockMs: Int64, output: inout ResultBuffer) {
        stream.adopt(handover, partition: partition, clockMs: clockMs, output: &output)
    }
    mutating func partitionIdle(_ partition: Int, output: inout ResultBuffer) { stream.partitionIdle(partition, output: &output) }
    mutating func keepAlive(partition: Int, clockMs: Int64) { stream.keepAlive(partition: partition, clockMs: clockMs) }
    func handover(partition: Int) -> PartitionClockHandover? { stream.handover(partition: partition) }
    func oldestHeldOffset(partition: Int) -> Int64? { stream.oldestHeldOffset(partition: partition) }
    func partitionsAhead(by maxSkew: Duration) -> Set<Int> { stream.partitionsAhead(by: maxSkew) }
}
