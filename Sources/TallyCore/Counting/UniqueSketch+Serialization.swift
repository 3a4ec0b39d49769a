extension UniqueSketch {
    /// The stable bytes a shard ships to `tally count --merge`: a HyperLogLog as its `THL1` format; an exact set as
    /// `"TXS1"`, the id count (UInt32 LE), then each id, sorted, as length (UInt32 LE) and UTF-8 bytes.
    public func serialized() -> [UInt8] {
        switch self {
        case .hll(let sketch):
            return sketch.serialized()
        case .exact(let set):
            var writer = ByteWriter()
            writer.write(format: .uniqueSketch)
            writer.write(UInt32(set.count))
            for user in set.sorted() { writer.write(user) }
            return writer.bytes
        }
    }

    /// Reads `serialized()` bytes of either kind; throws when they are damaged or of another format.
    public init(serialized bytes: [UInt8]) throws {
        if bytes.starts(with: "THL1".utf8) {
            self = .hll(try HyperLogLog(serialized: bytes))
            return
        }
        var reader = ByteReader(bytes)
        try reader.read(format: .uniqueSketch)
        let count = Int(try reader.readUInt32())
        guard count <= bytes.count else { throw ByteReader.Failure(description: "exact set claims \(count) ids in \(bytes.count) bytes") }
        var set = Set<String>(minimumCapacity: count)
        for _ in 0..<count { set.insert(try reader.readString()) }
        guard reader.isAtEnd else { throw ByteReader.Failure(description: "trailing bytes after an exact set") }
        self = .exact(set)
    }
}
