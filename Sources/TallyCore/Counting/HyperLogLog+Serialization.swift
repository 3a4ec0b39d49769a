extension HyperLogLog {
    /// Stable byte format (version 1): `"THL1"`, precision, mode (0 sparse, 1 dense); sparse: entry count, then
    /// (index at precision 25: UInt32 LE, rank: UInt8) sorted by index; dense: 2^p register bytes.
    public func serialized() -> [UInt8] {
        var writer = ByteWriter()
        encode(into: &writer)
        return writer.bytes
    }

    /// Reads `serialized()` bytes; throws for another format, a precision out of range, or damaged registers.
    public init(serialized bytes: [UInt8]) throws {
        var reader = ByteReader(bytes)
        try self.init(from: &reader)
        guard reader.isAtEnd else { throw ByteReader.Failure(description: "trailing bytes after a HyperLogLog sketch") }
    }

    func encode(into writer: inout ByteWriter) {
        writer.write(format: .hyperLogLog)
        writer.write(UInt8(precision))
        if let sparse {
            writer.write(UInt8(0))
            writer.write(UInt32(sparse.count))
            for (index, rank) in sparse.sorted(by: { $0.key < $1.key }) {
                writer.write(index)
                writer.write(rank)
            }
        } else {
            writer.write(UInt8(1))
            for register in registers { writer.write(register) }
        }
    }

    init(from reader: inout ByteReader) throws {
        try reader.read(format: .hyperLogLog)
        let precision = Int(try reader.readUInt8())
        guard Self.precisionRange.contains(precision) else {
            throw ByteReader.Failure(description: "invalid HyperLogLog precision \(precision)")
        }
        self.init(precision: precision)
        switch try reader.readUInt8() {
        case 0:
            let count = Int(try reader.readUInt32())
            var entries: [UInt32: UInt8] = [:]
            entries.reserveCapacity(count)
            for _ in 0..<count {
                let index = try reader.readUInt32()
                entries[index] = try reader.readUInt8()
            }
            restore(sparse: entries, registers: [])
        case 1:
            var registers = [UInt8](repeating: 0, count: 1 << precision)
            for i in registers.indices { registers[i] = try reader.readUInt8() }
            restore(sparse: nil, registers: registers)
        default:
            throw ByteReader.Failure(description: "unknown HyperLogLog mode")
        }
    }
}
