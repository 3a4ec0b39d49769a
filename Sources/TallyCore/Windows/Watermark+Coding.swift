/// A watermark in a checkpoint: the largest event time and the current watermark (idleness is not kept: it starts
/// afresh on restore).
extension Watermark {
    func encode(into writer: inout ByteWriter) {
        writer.write(maxEventTime != nil)
        writer.write(maxEventTime?.millisecondsSinceEpoch ?? 0)
        writer.write(current != nil)
        writer.write(current?.millisecondsSinceEpoch ?? 0)
    }

    mutating func restore(from reader: inout ByteReader) throws {
        let hasMax = try reader.readBool(), maxMs = try reader.readInt64()
        let hasCurrent = try reader.readBool(), currentMs = try reader.readInt64()
        restore(maxEventTime: hasMax ? Timestamp(millisecondsSinceEpoch: maxMs) : nil,
                current: hasCurrent ? Timestamp(millisecondsSinceEpoch: currentMs) : nil)
    }
}
