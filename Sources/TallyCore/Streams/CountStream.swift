/// `tally count` without the I/O: log-frame bytes in (any chunking), JSON count results out.
///
/// Every input line ends up in exactly one bucket of `CountStatistics` (counted, rejected, malformed, missing or
/// invalid fields, blank), so the summary accounts for the whole input.
public struct CountStream: Sendable {
    public struct Problem: Hashable, Sendable {
        public var line: Int
        public var offset: Int
        public var message: String
    }

    public private(set) var counter: UniqueWindowCounter
    public private(set) var firstProblems: [Problem] = []
    public static var reportedProblems: Int { 5 }
    private var splitter = LineSplitter(maxLineBytes: 1 << 20)
    private let scanner: FrameScanner
    private var scratch: [UInt8] = []
    private var outputs: [CountResult] = []

    public init(configuration: CountConfiguration, userField: String = "uid", timeField: String = "ts", validate: Bool = false) {
        counter = UniqueWindowCounter(configuration: configuration)
        scanner = FrameScanner(userField: userField, timeField: timeField, validate: validate)
    }

    public var statistics: CountStatistics {
        var statistics = counter.statistics
        statistics.lines = splitter.lineCount
        statistics.malformed = malformed
        statistics.missingFields = missing
        statistics.invalidFields = invalid
        statistics.blankLines = blank
        return statistics
    }

    public var bytesRead: Int { splitter.bytesSeen }

    /// Bytes of input whose lines are fully processed (a checkpoint resumes after them).
    public var processedBytes: Int { splitter.bytesSeen - splitter.pendingBytes }

    /// End of one input file: a last line without a newline is a line of its own, not the start of the next file's.
    public mutating func endOfFile(output: inout [UInt8]) {
        var splitter = self.splitter
        defer { self.splitter = splitter }
        splitter.finish { line in handle(line, clockMs: nil) }
        drain(into: &output)
    }

    /// Serialises the counting state (not the input position, which the caller records).
    public func checkpoint() -> [UInt8] {
        var writer = ByteWriter()
        for byte in "TCK1".utf8 { writer.write(byte) }
        counter.encode(into: &writer)
        for value in [malformed, missing, invalid, blank, splitter.lineCount, processedBytes] { writer.write(value) }
        return writer.bytes
    }

    /// Resumes from `checkpoint()` bytes; throws when they are damaged or were made with other options.
    public init(configuration: CountConfiguration, checkpoint: [UInt8], userField: String = "uid", timeField: String = "ts",
                validate: Bool = false) throws {
        self.init(configuration: configuration, userField: userField, timeField: timeField, validate: validate)
        var reader = ByteReader(checkpoint)
        let magic = try (0..<4).map { _ in try reader.readUInt8() }
        guard magic == Array("TCK1".utf8) else { throw ByteReader.Failure(description: "not a tally count checkpoint") }
        counter = try UniqueWindowCounter(configuration: configuration, from: &reader)
        malformed = try reader.readInt()
        missing = try reader.readInt()
        invalid = try reader.readInt()
        blank = try reader.readInt()
        let lines = try reader.readInt()
        let processed = try reader.readInt()
        splitter = LineSplitter(maxLineBytes: 1 << 20, lineCount: lines, bytesSeen: processed)
    }
    private var malformed = 0, missing = 0, invalid = 0, blank = 0

    public mutating func feed(_ chunk: UnsafeRawBufferPointer, clockMs: Int64? = nil, output: inout [UInt8]) {
        var splitter = self.splitter
        defer { self.splitter = splitter }
        splitter.feed(chunk) { line in handle(line, clockMs: clockMs) }
        drain(into: &output)
    }

    public mutating func idle(clockMs: Int64, output: inout [UInt8]) {
        counter.advanceIdle(clockMs: clockMs, into: &outputs)
        drain(into: &output)
    }

    public mutating func finish(output: inout [UInt8]) {
        var splitter = self.splitter
        defer { self.splitter = splitter }
        splitter.finish { line in handle(line, clockMs: nil) }
        counter.finish(into: &outputs)
        drain(into: &output)
    }

    /// Provisional results of the open windows (`--emit updates`).
    public func provisional(output: inout [UInt8]) {
        for result in counter.provisional() { result.write(into: &output) }
    }

    private mutating func handle(_ line: LineSplitter.Line, clockMs: Int64?) {
        if line.oversized {
            malformed += 1
            return note(line, 0, "frame is longer than 1 MiB")
        }
        if line.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
            blank += 1
            return
        }
        switch scanner.scan(line.bytes, scratch: &scratch) {
        case .frame(let user, let timeMs):
            user.with(line: line.bytes, scratch: scratch) { bytes in
                counter.add(hash: XXHash64.hash(bytes), user: bytes, time: Timestamp(millisecondsSinceEpoch: timeMs),
                            clockMs: clockMs, into: &outputs)
            }
        case .malformed(let offset, let reason):
            malformed += 1
            note(line, offset, "not valid JSON: \(reason)")
        case .missingUser:
            missing += 1
            note(line, 0, "no \(String(decoding: scanner.userField, as: UTF8.self)) at the top level")
        case .missingTime:
            missing += 1
            note(line, 0, "no \(String(decoding: scanner.timeField, as: UTF8.self)) at the top level")
        case .invalidUser:
            invalid += 1
            note(line, 0, "\(String(decoding: scanner.userField, as: UTF8.self)) is not a non-empty string")
        case .invalidTime:
            invalid += 1
            note(line, 0, "\(String(decoding: scanner.timeField, as: UTF8.self)) is not a non-negative integer")
        }
    }

    private mutating func note(_ line: LineSplitter.Line, _ offset: Int, _ message: String) {
        guard firstProblems.count < Self.reportedProblems else { return }
        firstProblems.append(Problem(line: line.number, offset: line.offset + offset, message: message))
    }

    private mutating func drain(into output: inout [UInt8]) {
        for result in outputs { result.write(into: &output) }
        outputs.removeAll(keepingCapacity: true)
    }
}
