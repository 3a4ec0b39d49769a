/// `tally count --merge` without the I/O: shard lines in (any chunking), merged results out when `flush` is called
/// (after each input chunk or Kafka batch, so a batch holding every shard's contribution to a window yields one
/// result for it, not one per shard).
public struct MergeStream: Sendable {
    public private(set) var merger: ShardMerger
    /// Exact sets of big windows make long lines; HyperLogLog lines stay under 30 KB.
    public static let maxLineBytes = 256 << 20
    var splitter: LineSplitter
    private var outputs: [CountResult] = []

    public init(retention: Duration) {
        merger = ShardMerger(retention: retention)
        splitter = LineSplitter(maxLineBytes: Self.maxLineBytes)
    }

    public var lines: Int { splitter.lineCount }
    public var bytesRead: Int { splitter.bytesSeen }

    public mutating func feed(_ chunk: UnsafeRawBufferPointer) {
        var splitter = self.splitter
        defer { self.splitter = splitter }
        splitter.feed(chunk) { line in add(line) }
    }

    /// Takes one shard line that arrives as a record of its own (a Kafka message).
    public mutating func feed(record: UnsafeRawBufferPointer) {
        var splitter = self.splitter
        defer { self.splitter = splitter }
        splitter.record(record) { line in add(line) }
    }

    /// Writes the merged result of every window changed since the last flush.
    public mutating func flush(output: inout [UInt8]) {
        merger.flush(into: &outputs)
        for result in outputs { result.write(into: &output) }
        outputs.removeAll(keepingCapacity: true)
    }

    /// End of input: the last line without a newline counts, then everything is flushed.
    public mutating func finish(output: inout [UInt8]) {
        var splitter = self.splitter
        defer { self.splitter = splitter }
        splitter.finish { line in add(line) }
        flush(output: &output)
    }

    private mutating func add(_ line: LineSplitter.Line) {
        if line.oversized {
            merger.reject(message: "line is longer than \(Self.maxLineBytes) bytes")
        } else {
            merger.add(line: line.bytes)
        }
    }
}

extension MergeStream {
    /// The merge state plus the line counts (not the input position, which the caller records).
    public func checkpoint() -> [UInt8] {
        var writer = ByteWriter()
        merger.encode(into: &writer)
        writer.write(splitter.lineCount)
        writer.write(splitter.bytesSeen - splitter.pendingBytes)
        return writer.bytes
    }

    public init(retention: Duration, checkpoint: [UInt8]) throws {
        self.init(retention: retention)
        var reader = ByteReader(checkpoint)
        merger = try ShardMerger(from: &reader, retention: retention)
        let lines = try reader.readInt()
        let bytes = try reader.readInt()
        splitter = LineSplitter(maxLineBytes: Self.maxLineBytes, lineCount: lines, bytesSeen: bytes)
    }
}
