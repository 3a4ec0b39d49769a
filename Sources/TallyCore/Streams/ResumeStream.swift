/// `tally resume` without the I/O: NDJSON heartbeat bytes in (any chunking), resume arrays out.
///
/// Invalid lines are counted and the first few kept with their line numbers; in strict mode the first one stops the
/// stream. Kept in TallyCore so tests and benchmarks drive exactly what the command runs.
public struct ResumeStream: Sendable {
    /// A line that is not a valid heartbeat, for the summary on stderr.
    public struct InvalidLine: Hashable, Sendable {
        /// 1-based line number in the input.
        public var line: Int
        /// What is wrong with it, naming the field.
        public var message: String
    }

    /// Thrown in strict mode.
    public struct StrictModeError: Error, Hashable, Sendable {
        /// The line that stopped the stream.
        public var invalid: InvalidLine
    }

    /// The windows, the event clock and the counts.
    public internal(set) var processor: ResumeWindowProcessor
    /// How arrays are written: one per line, or the brief's layout.
    public let format: ResumeOutputFormat
    /// Whether the first invalid line stops the stream (`--strict`).
    public let strict: Bool
    /// Invalid lines so far.
    public internal(set) var invalidLines = 0
    /// The first `reportedInvalidLines` invalid lines: enough to find what is wrong, bounded however bad the input.
    public private(set) var firstInvalid: [InvalidLine] = []
    /// How many invalid lines are kept for the summary.
    public static var reportedInvalidLines: Int { 5 }
    var splitter: LineSplitter
    private let decoder: HeartbeatDecoder
    private var outputs: [ResumeWindowOutput] = []

    /// A stream emitting `configuration`'s windows in `format`.
    public init(
        configuration: ResumeConfiguration, format: ResumeOutputFormat = .compact, strict: Bool = false,
        limits: InputLimits = .default
    ) {
        processor = ResumeWindowProcessor(configuration: configuration)
        self.format = format
        self.strict = strict
        splitter = LineSplitter(maxLineBytes: 64 * 1024)
        decoder = HeartbeatDecoder(limits: limits)
    }

    /// Input bytes so far, for the rate.
    public var bytesRead: Int { splitter.bytesSeen }
    /// Input lines so far.
    public var lines: Int { splitter.lineCount }

    /// Bytes of input whose lines are fully processed (a checkpoint resumes after them).
    public var processedBytes: Int { splitter.bytesSeen - splitter.pendingBytes }

    /// End of one input file: a last line without a newline is a line of its own, not the start of the next file's.
    public mutating func endOfFile(output: inout ResultBuffer) throws {
        var splitter = self.splitter
        defer { self.splitter = splitter }
        try splitter.finish { line in try handle(line, clockMs: nil) }
        drain(into: &output)
    }

    /// Feeds a chunk of input; appends complete output lines to `output`.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, clockMs: Int64? = nil, output: inout ResultBuffer) throws {
        var splitter = self.splitter
        defer { self.splitter = splitter }
        try splitter.feed(chunk) { line in try handle(line, clockMs: clockMs) }
        drain(into: &output)
    }

    /// Feeds one heartbeat that arrives as a record of its own (a Kafka message at `offset` of `partition`).
    public mutating func feed(
        record: UnsafeRawBufferPointer, partition: Int = 0, offset: Int64 = 0, clockMs: Int64? = nil,
        output: inout ResultBuffer
    ) throws {
        var splitter = self.splitter
        defer { self.splitter = splitter }
        recordPartition = partition
        recordOffset = offset
        defer {
            recordPartition = 0
            recordOffset = 0
        }
        try splitter.record(record) { line in try handle(line, clockMs: clockMs) }
        drain(into: &output)
    }

    /// The partition and offset of the record being fed (files are partition 0, offset 0).
    private var recordPartition = 0
    private var recordOffset: Int64 = 0

    /// A partition another reader's clock kept (a Kafka rebalance): its time continues from `handover`.
    public mutating func adopt(_ handover: PartitionClockHandover, partition: Int, clockMs: Int64, output: inout ResultBuffer) {
        processor.adopt(handover, partition: partition, clockMs: clockMs, into: &outputs)
        drain(into: &output)
    }

    /// The end of `partition` for now: it stops holding the watermark back.
    public mutating func partitionIdle(_ partition: Int, output: inout ResultBuffer) {
        processor.partitionIdle(partition, into: &outputs)
        drain(into: &output)
    }

    /// A partition assigned to this reader (it holds the watermark back until it has heartbeats or goes idle).
    public mutating func register(partition: Int, clockMs: Int64) {
        processor.register(partition: partition, clockMs: clockMs)
    }

    /// A partition the source pauses (alignment) is not idle.
    public mutating func keepAlive(partition: Int, clockMs: Int64) {
        processor.clock.keepAlive(partition: partition, clockMs: clockMs)
    }

    /// A partition revoked from this reader.
    public mutating func remove(partition: Int, output: inout ResultBuffer) {
        processor.remove(partition: partition, into: &outputs)
        drain(into: &output)
    }

    /// The source is idle: let the watermark follow the wall clock.
    public mutating func idle(clockMs: Int64, output: inout ResultBuffer) {
        processor.advanceIdle(clockMs: clockMs, into: &outputs)
        drain(into: &output)
    }

    /// End of input: flush the last line and every open window.
    public mutating func finish(output: inout ResultBuffer) throws {
        var splitter = self.splitter
        defer { self.splitter = splitter }
        try splitter.finish { line in try handle(line, clockMs: nil) }
        processor.finish(into: &outputs)
        drain(into: &output)
    }

    private mutating func handle(_ line: LineSplitter.Line, clockMs: Int64?) throws {
        if line.oversized { return try reject(line.number, "line is longer than \(splitter.maxLineBytes) bytes") }
        if line.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        var reader = JSONReader(line.bytes)
        do {
            switch try decoder.decode(&reader) {
            case .success(let heartbeat):
                guard reader.peek() == nil else { return try reject(line.number, "unexpected data after the JSON object") }
                processor.apply(heartbeat, partition: recordPartition, position: recordOffset, clockMs: clockMs, into: &outputs)
            case .failure(let errors):
                try reject(line.number, errors.errors.map(\.message).joined(separator: "; "))
            }
        } catch let error as JSONSyntaxError {
            try reject(line.number, "not valid JSON: \(error)")
        } catch let error as InputShapeError {
            try reject(line.number, error.message)
        }
    }

    private mutating func reject(_ number: Int, _ message: String) throws {
        invalidLines += 1
        let invalid = InvalidLine(line: number, message: message)
        if firstInvalid.count < Self.reportedInvalidLines { firstInvalid.append(invalid) }
        if strict { throw StrictModeError(invalid: invalid) }
    }

    /// Windows whose arrays were written since the last call, in output order (for `--format pretty` headers).
    public mutating func takeEmittedWindows() -> [EventWindow] {
        defer { emittedWindows.removeAll() }
        return emittedWindows
    }

    private var emittedWindows: [EventWindow] = []

    private mutating func drain(into output: inout ResultBuffer) {
        for result in outputs {
            output.append(key: { $0.append(contentsOf: result.userId.utf8) }, text: { format.write(result, into: &$0) })
            if emittedWindows.last != result.window { emittedWindows.append(result.window) }
        }
        outputs.removeAll(keepingCapacity: true)
    }
}
