/// `tally count` without the I/O: log-frame bytes in (any chunking), JSON count results out.
///
/// Every input line ends up in exactly one bucket of `CountStatistics` (counted, rejected, malformed, missing or
/// invalid fields, blank), so the summary accounts for the whole input.
public struct CountStream: Sendable {
    /// An input line that could not be counted, for the summary on stderr.
    public struct Problem: Hashable, Sendable {
        /// 1-based line number in the input.
        public var line: Int
        /// Byte offset in the input of the problem (or of the line).
        public var offset: Int
        /// What is wrong with the line.
        public var message: String
    }

    /// The windows, the event clock and the counts.
    public internal(set) var counter: UniqueWindowCounter
    /// The first `reportedProblems` problems: enough to find what is wrong, bounded however bad the input.
    public internal(set) var firstProblems: [Problem] = []
    /// How many problems are kept for the summary.
    public static var reportedProblems: Int { 5 }
    /// When set, results are written as this shard's mergeable lines (with the window's sketch) for
    /// `tally count --merge`, instead of plain results.
    public var shard: String?
    private var splitter = LineSplitter(maxLineBytes: 1 << 20)
    /// How the input's frames arrive; with `.tfr` the records splitter reads them and the line splitter stays idle.
    public let format: FrameFormat
    var records = FrameRecordSplitter()
    private let scanner: FrameScanner
    private var scratch = FrameScanner.Scratch()
    var outputs: [CountResult] = []

    /// A stream counting with `configuration`, reading the named fields; `validate` checks every frame's whole syntax.
    /// With `format` `.tfr` the frames are Tally frame records (`feed(records:)`), and the field names and
    /// `validate` do not apply.
    public init(
        configuration: CountConfiguration, format: FrameFormat = .ndjson, userField: String = FrameScanner.defaultUserField,
        timeField: String = FrameScanner.defaultTimeField, validate: Bool = false
    ) {
        counter = UniqueWindowCounter(configuration: configuration)
        scanner = FrameScanner(userField: userField, timeField: timeField, validate: validate)
        self.format = format
    }

    /// What became of every input line so far.
    public var statistics: CountStatistics {
        var statistics = counter.statistics
        statistics.lines = splitter.lineCount + appliedLines + records.recordCount
        statistics.malformed = tally.malformed
        statistics.missingFields = tally.missing
        statistics.invalidFields = tally.invalid
        statistics.blankLines = tally.blank
        return statistics
    }

    /// Input bytes read so far, for the rate.
    public var bytesRead: Int { splitter.bytesSeen + appliedBytes + records.bytesSeen }

    /// Bytes of input whose lines (or records) are fully processed (a checkpoint resumes after them).
    public var processedBytes: Int {
        splitter.bytesSeen - splitter.pendingBytes + appliedBytes + records.bytesSeen - records.pendingBytes
    }

    /// End of one input file: a last line without a newline is a line of its own, not the start of the next file's.
    public mutating func endOfFile(output: inout ResultBuffer) {
        var splitter = self.splitter
        defer { self.splitter = splitter }
        splitter.finish { line in handle(line, clockMs: nil) }
        drain(into: &output)
    }

    /// Serialises the counting state (not the input position, which the caller records).
    public func checkpoint() -> [UInt8] {
        var writer = ByteWriter()
        writer.write(format: .countState)
        writer.write(format.rawValue)
        counter.encode(into: &writer)
        for value in [tally.malformed, tally.missing, tally.invalid, tally.blank, statistics.lines, processedBytes] {
            writer.write(value)
        }
        return writer.bytes
    }

    /// Resumes from `checkpoint()` bytes; throws when they are damaged or were made with other options (or another
    /// input format).
    public init(
        configuration: CountConfiguration, checkpoint: [UInt8], format: FrameFormat = .ndjson,
        userField: String = FrameScanner.defaultUserField, timeField: String = FrameScanner.defaultTimeField,
        validate: Bool = false
    ) throws {
        self.init(configuration: configuration, format: format, userField: userField, timeField: timeField, validate: validate)
        var reader = ByteReader(checkpoint)
        let version = try reader.read(format: .countState, alsoAccepting: [.countStateV3])
        let saved = version == .countStateV3 ? FrameFormat.ndjson.rawValue : try reader.readString()
        guard saved == format.rawValue else {
            throw ByteReader.Failure(description: "the checkpoint was made reading \(saved), not \(format.rawValue)")
        }
        counter = try UniqueWindowCounter(configuration: configuration, from: &reader)
        tally.malformed = try reader.readInt()
        tally.missing = try reader.readInt()
        tally.invalid = try reader.readInt()
        tally.blank = try reader.readInt()
        let lines = try reader.readInt()
        let processed = try reader.readInt()
        if format == .tfr {
            records = FrameRecordSplitter(recordCount: lines, bytesSeen: processed)
        } else {
            splitter = LineSplitter(maxLineBytes: 1 << 20, lineCount: lines, bytesSeen: processed)
        }
    }
    var tally = LineTally()

    /// A chunk of input, cut anywhere: results due by the time it is read go to `output`.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, clockMs: Int64? = nil, output: inout ResultBuffer) {
        var splitter = self.splitter
        defer { self.splitter = splitter }
        splitter.feed(chunk) { line in handle(line, clockMs: clockMs) }
        drain(into: &output)
    }

    /// No input for a while: the watermark follows the wall clock `clockMs`, closing windows that are due.
    public mutating func idle(clockMs: Int64, output: inout ResultBuffer) {
        counter.advanceIdle(clockMs: clockMs, into: &outputs)
        drain(into: &output)
    }

    /// End of input: the last line without a newline counts, then every window closes.
    public mutating func finish(output: inout ResultBuffer) {
        var splitter = self.splitter
        defer { self.splitter = splitter }
        splitter.finish { line in handle(line, clockMs: nil) }
        counter.finish(into: &outputs)
        drain(into: &output)
    }

    /// Feeds one frame that arrives as a record of its own (a Kafka message at `offset` of `partition`), without
    /// looking for line ends.
    public mutating func feed(
        record: UnsafeRawBufferPointer, partition: Int = 0, offset: Int64 = 0, clockMs: Int64? = nil,
        output: inout ResultBuffer
    ) {
        var splitter = self.splitter
        defer { self.splitter = splitter }
        recordPartition = partition
        recordOffset = offset
        splitter.record(record) { line in handle(line, clockMs: clockMs) }
        recordPartition = 0
        recordOffset = 0
        drain(into: &output)
    }

    /// The partition and offset of the record being fed (files are partition 0, offset 0).
    private var recordPartition = 0
    private var recordOffset: Int64 = 0

    /// A partition another reader's clock kept (a Kafka rebalance): its time continues from `handover`.
    public mutating func adopt(_ handover: PartitionClockHandover, partition: Int, clockMs: Int64, output: inout ResultBuffer) {
        counter.adopt(handover, partition: partition, clockMs: clockMs, into: &outputs)
        drain(into: &output)
    }

    /// The end of `partition` for now: it stops holding the watermark back.
    public mutating func partitionIdle(_ partition: Int, output: inout ResultBuffer) {
        counter.partitionIdle(partition, into: &outputs)
        drain(into: &output)
    }

    /// A partition assigned to this reader (it holds the watermark back until it has frames or goes idle).
    public mutating func register(partition: Int, clockMs: Int64) {
        counter.register(partition: partition, clockMs: clockMs)
    }

    /// A partition the source pauses (alignment) is not idle.
    public mutating func keepAlive(partition: Int, clockMs: Int64) {
        counter.clock.keepAlive(partition: partition, clockMs: clockMs)
    }

    /// A partition revoked from this reader.
    public mutating func remove(partition: Int, output: inout ResultBuffer) {
        counter.remove(partition: partition, into: &outputs)
        drain(into: &output)
    }

    /// Provisional results of the open windows (`--emit updates`).
    public func provisional(output: inout ResultBuffer) {
        for result in counter.provisional() { write(result, into: &output) }
    }

    /// What one line is, for both the sequential and the threaded path.
    enum Classified {
        enum Kind { case malformed, missing, invalid }
        case frame(user: FrameScanner.UserBytes, timeMs: Int64)
        case blank
        case problem(Kind, offset: Int, message: String)
    }

    static func classify(_ line: LineSplitter.Line, scanner: FrameScanner, scratch: inout FrameScanner.Scratch) -> Classified {
        if line.oversized { return .problem(.malformed, offset: 0, message: "frame is longer than 1 MiB") }
        if line.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return .blank }
        var user: String { String(decoding: scanner.userField, as: UTF8.self) }
        var time: String { String(decoding: scanner.timeField, as: UTF8.self) }
        switch scanner.scan(line.bytes, scratch: &scratch) {
        case .frame(let bytes, let timeMs): return .frame(user: bytes, timeMs: timeMs)
        case .malformed(let offset, let reason): return .problem(.malformed, offset: offset, message: "not valid JSON: \(reason)")
        case .missingUser: return .problem(.missing, offset: 0, message: "no \(user) at the top level")
        case .missingTime: return .problem(.missing, offset: 0, message: "no \(time) at the top level")
        case .invalidUser: return .problem(.invalid, offset: 0, message: "\(user) is not a non-empty string")
        case .invalidTime: return .problem(.invalid, offset: 0, message: "\(time) is not a non-negative integer")
        }
    }

    private mutating func handle(_ line: LineSplitter.Line, clockMs: Int64?) {
        switch Self.classify(line, scanner: scanner, scratch: &scratch) {
        case .frame(let user, let timeMs):
            user.with(line: line.bytes, unescaped: scratch.user) { bytes in
                counter.add(
                    hash: XXHash64.hash(bytes), user: bytes, time: Timestamp(millisecondsSinceEpoch: timeMs),
                    partition: recordPartition, position: recordOffset, clockMs: clockMs, into: &outputs)
            }
        case .blank:
            tally.blank += 1
        case .problem(let kind, let offset, let message):
            tally.record(kind)
            note(line, offset, message)
        }
    }

    /// Applies a block scanned by `FrameBlockScanner` (in input order), as if its lines had been fed.
    public mutating func apply(_ block: FrameBlockScanner.Scanned, output: inout ResultBuffer) {
        let firstLine = splitter.lineCount + appliedLines
        let baseOffset = processedBytes
        for index in block.hashes.indices {
            let time = Timestamp(millisecondsSinceEpoch: block.times[index])
            if block.users.isEmpty {
                counter.add(hash: block.hashes[index], user: UnsafeRawBufferPointer(start: nil, count: 0), time: time, into: &outputs)
            } else {
                var user = block.users[index]
                user.withUTF8 { counter.add(hash: block.hashes[index], user: UnsafeRawBufferPointer($0), time: time, into: &outputs) }
            }
        }
        tally.add(block.tally)
        for problem in block.problems where firstProblems.count < Self.reportedProblems {
            firstProblems.append(Problem(line: firstLine + problem.line, offset: baseOffset + problem.offset, message: problem.message))
        }
        appliedLines += block.lines
        appliedBytes += block.bytes
        drain(into: &output)
    }

    private var appliedLines = 0
    private var appliedBytes = 0

    private mutating func note(_ line: LineSplitter.Line, _ offset: Int, _ message: String) {
        guard firstProblems.count < Self.reportedProblems else { return }
        firstProblems.append(Problem(line: line.number, offset: line.offset + offset, message: message))
    }

    mutating func drain(into output: inout ResultBuffer) {
        for result in outputs { write(result, into: &output) }
        outputs.removeAll(keepingCapacity: true)
    }

    private func write(_ result: CountResult, into output: inout ResultBuffer) {
        output.append(key: result.writeKey) { result.write(into: &$0, shard: shard) }
    }
}

/// Input lines that were not counted as frames, by reason.
public struct LineTally: Hashable, Sendable {
    /// Lines of each kind.
    public var malformed = 0, missing = 0, invalid = 0, blank = 0

    /// All zero.
    public init() {}

    mutating func record(_ kind: CountStream.Classified.Kind) {
        switch kind {
        case .malformed: malformed += 1
        case .missing: missing += 1
        case .invalid: invalid += 1
        }
    }

    mutating func add(_ other: LineTally) {
        malformed += other.malformed
        missing += other.missing
        invalid += other.invalid
        blank += other.blank
    }
}
