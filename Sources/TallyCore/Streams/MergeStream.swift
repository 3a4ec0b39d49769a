/// `tally count --merge` without the I/O: shard lines in (any chunking), merged results out when `flush` is called
/// (after each input chunk or Kafka batch, so a batch holding every shard's contribution to a window yields one
/// result for it, not one per shard).
public struct MergeStream: Sendable {
    /// The shards' windows and the counts.
    public private(set) var merger: ShardMerger
    /// Exact sets of big windows make long lines; HyperLogLog lines stay under 30 KB.
    public static let maxLineBytes = 256 << 20
    var splitter: LineSplitter
    private var outputs: [CountResult] = []

    /// A merge keeping windows for `retention` behind the newest final contribution.
    public init(retention: Duration) {
        merger = ShardMerger(retention: retention)
        splitter = LineSplitter(maxLineBytes: Self.maxLineBytes)
    }

    /// Input lines so far.
    public var lines: Int { splitter.lineCount }
    /// Input bytes so far, for the rate.
    public var bytesRead: Int { splitter.bytesSeen }

    /// Bytes of input whose lines are fully processed (a checkpoint resumes after them).
    public var processedBytes: Int { splitter.bytesSeen - splitter.pendingBytes }

    /// End of one input file: a last line without a newline is a line of its own, not the start of the next file's.
    public mutating func endOfFile() {
        var splitter = self.splitter
        defer { self.splitter = splitter }
        splitter.finish { line in add(line) }
    }

    /// A chunk of shard output, cut anywhere; results wait for `flush`.
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
    public mutating func flush(output: inout ResultBuffer) {
        merger.flush(into: &outputs)
        for result in outputs { output.append(key: result.writeKey) { result.write(into: &$0) } }
        outputs.removeAll(keepingCapacity: true)
    }

    /// End of input: the last line without a newline counts, then everything is flushed.
    public mutating func finish(output: inout ResultBuffer) {
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
        writer.write(processedBytes)
        return writer.bytes
    }

    /// Resumes from `checkpoint()` bytes; throws when they are damaged or were written with another retention.
    public init(retention: Duration, checkpoint: [UInt8]) throws {
        self.init(retention: retention)
        var reader = ByteReader(checkpoint)
        merger = try ShardMerger(from: &reader, retention: retention)
        let lines = try reader.readInt()
        let bytes = try reader.readInt()
        splitter = LineSplitter(maxLineBytes: Self.maxLineBytes, lineCount: lines, bytesSeen: bytes)
    }
}
