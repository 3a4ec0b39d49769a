/// A stream whose event clock follows several partitions of one input (a Kafka topic's): what a consumer group
/// tells it as partitions come, go, pause and end. `tally count` and `tally resume` answer alike, so the Kafka
/// loop drives both through this.
public protocol PartitionedStream {
    /// A partition assigned to this reader: it holds the watermark back until it has events or goes idle.
    mutating func register(partition: Int, clockMs: Int64)
    /// A partition revoked from this reader: it stops holding the watermark back.
    mutating func remove(partition: Int, output: inout ResultBuffer)
    /// A partition another reader's clock kept (a rebalance): its time continues from `handover`.
    mutating func adopt(_ handover: PartitionClockHandover, partition: Int, clockMs: Int64, output: inout ResultBuffer)
    /// The end of `partition` for now: it stops holding the watermark back.
    mutating func partitionIdle(_ partition: Int, output: inout ResultBuffer)
    /// A partition the source pauses (alignment) is not idle: it has events the source holds back.
    mutating func keepAlive(partition: Int, clockMs: Int64)
    /// The partition's clock, to hand to its next reader with the committed offset (nil: nothing to hand over).
    func handover(partition: Int) -> PartitionClockHandover?
    /// The offset of the partition's oldest held event: offsets are committed no further, so that the partition's
    /// next reader reads again what this clock still holds.
    func oldestHeldOffset(partition: Int) -> Int64?
    /// Partitions whose event time runs more than `maxSkew` ahead of the slowest, for the source to pause.
    func partitionsAhead(by maxSkew: Duration) -> Set<Int>
}

extension CountStream: PartitionedStream {
    /// The partition's clock, from the counter's event clock.
    public func handover(partition: Int) -> PartitionClockHandover? { counter.clock.handover(partition: partition) }
    /// The partition's oldest held frame's offset.
    public func oldestHeldOffset(partition: Int) -> Int64? { counter.clock.oldestHeldPosition(partition: partition) }
    /// Partitions ahead of the slowest by more than `maxSkew`.
    public func partitionsAhead(by maxSkew: Duration) -> Set<Int> { counter.clock.partitionsAhead(by: maxSkew) }
}

extension ResumeStream: PartitionedStream {
    /// The partition's clock, from the processor's event clock.
    public func handover(partition: Int) -> PartitionClockHandover? { processor.clock.handover(partition: partition) }
    /// The partition's oldest held heartbeat's offset.
    public func oldestHeldOffset(partition: Int) -> Int64? { processor.clock.oldestHeldPosition(partition: partition) }
    /// Partitions ahead of the slowest by more than `maxSkew`.
    public func partitionsAhead(by maxSkew: Duration) -> Set<Int> { processor.clock.partitionsAhead(by: maxSkew) }
}
