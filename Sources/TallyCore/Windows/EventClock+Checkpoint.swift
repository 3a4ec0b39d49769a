/// An event clock in a checkpoint: the watermark, and per partition its frontier, the keys it has seen and the
/// events it holds with their source positions (encoded by the processor that owns them). Idleness is not kept: it
/// starts afresh on restore.
extension EventClock {
    /// Writes the clock; `event` writes each held event, which only the processor knows how to encode.
    public func encode(into writer: inout ByteWriter, event: (Event, inout ByteWriter) -> Void) {
        writer.write(configuration.fingerprint)
        writer.write(current != nil)
        writer.write(current?.millisecondsSinceEpoch ?? 0)
        writer.write(rejectedOutliers)
        writer.write(handedOver)
        writer.write(UInt32(partitions.count))
        for partition in partitions.sorted(by: { $0.id < $1.id }) {
            writer.write(partition.id)
            writer.write(partition.established)
            writer.write(partition.frontier)
            writer.write(partition.firstTime)
            writer.write(UInt32(partition.keys.count))
            for key in partition.keys { writer.write(key) }
            writer.write(UInt32(partition.pending.count))
            for held in partition.pending {
                writer.write(held.key)
                writer.write(held.time)
                writer.write(held.position)
                event(held.event, &writer)
            }
        }
    }

    /// Reads `encode(into:event:)` bytes; throws when they are damaged or were written with another configuration.
    public init(
        configuration: EventClockConfiguration, from reader: inout ByteReader,
        event: (inout ByteReader) throws -> Event
    ) throws {
        self.init(configuration: configuration)
        try reader.readFingerprint(expecting: configuration.fingerprint, of: "the checkpoint's event clock")
        let hasCurrent = try reader.readBool()
        let currentMs = try reader.readInt64()
        restoreState(
            current: hasCurrent ? Timestamp(millisecondsSinceEpoch: currentMs) : nil, rejected: try reader.readInt(),
            handedOver: try reader.readInt())
        for _ in 0..<Int(try reader.readUInt32()) {
            var partition = Partition(id: try reader.readInt())
            partition.established = try reader.readBool()
            partition.frontier = try reader.readInt64()
            partition.firstTime = try reader.readInt64()
            partition.acceptLimit =
                partition.frontier == .min ? (partition.established ? .max : .min) : Self.adding(partition.frontier, maxJumpMs)
            for _ in 0..<Int(try reader.readUInt32()) { partition.keys.append(try reader.readUInt64()) }
            partition.keysComplete = partition.keys.count >= configuration.corroboration
            for _ in 0..<Int(try reader.readUInt32()) {
                let key = try reader.readUInt64()
                let time = try reader.readInt64()
                let position = try reader.readInt64()
                partition.pending.append(Held(event: try event(&reader), key: key, time: time, position: position))
                partition.pendingMin = min(partition.pendingMin, time)
            }
            partitions.append(partition)
        }
    }
}
