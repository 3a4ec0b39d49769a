/// `tally convert --to tfr` without the I/O: NDJSON frames in (any chunking), Tally frame records out.
///
/// Each frame is scanned as `tally count` scans it; a frame it would count becomes one record with the same user id
/// (unescaped) and time (in milliseconds), so counting the records gives the same results as counting the frames.
/// Frames it would not count (malformed, missing or invalid fields, blank lines) are left out and accounted for.
public struct RecordConversion: Sendable {
    /// Whether each record carries its frame's JSON text, or only the two fields.
    public enum Payload: String, Sendable, CaseIterable {
        /// The whole frame, as it was: a consumer that needs more than the two fields still has it.
        case keep
        /// Nothing: a feed for counting only, a hundredth of the bytes.
        case drop
    }

    /// Records written.
    public private(set) var converted = 0
    /// Lines left out, blank ones included.
    public private(set) var skipped = 0
    /// The first few lines left out (blank ones are not problems), with why.
    public private(set) var firstProblems: [CountStream.Problem] = []
    private var splitter = LineSplitter(maxLineBytes: 1 << 20)
    private let scanner: FrameScanner
    private var scratch = FrameScanner.Scratch()
    private let payload: Payload
    private var wroteMagic = false

    /// A conversion reading the named fields, keeping or dropping each frame's text.
    public init(
        userField: String = FrameScanner.defaultUserField, timeField: String = FrameScanner.defaultTimeField, payload: Payload = .keep
    ) {
        scanner = FrameScanner(userField: userField, timeField: timeField)
        self.payload = payload
    }

    /// Lines read so far.
    public var lines: Int { splitter.lineCount }

    /// Input bytes read so far.
    public var bytesRead: Int { splitter.bytesSeen }

    /// A chunk of NDJSON, cut anywhere: the records of the lines it completes go to `output` (after the magic, the
    /// first time).
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, output: inout [UInt8]) {
        openStream(&output)
        var splitter = self.splitter
        defer { self.splitter = splitter }
        splitter.feed(chunk) { line in convert(line, into: &output) }
    }

    /// End of input: a last line without a newline is converted too.
    public mutating func finish(output: inout [UInt8]) {
        openStream(&output)
        var splitter = self.splitter
        defer { self.splitter = splitter }
        splitter.finish { line in convert(line, into: &output) }
    }

    private mutating func openStream(_ output: inout [UInt8]) {
        guard !wroteMagic else { return }
        wroteMagic = true
        output.append(contentsOf: BinaryFormat.frameRecords.rawValue.utf8)
    }

    private mutating func convert(_ line: LineSplitter.Line, into output: inout [UInt8]) {
        switch CountStream.classify(line, scanner: scanner, scratch: &scratch) {
        case .frame(let user, let timeMs):
            let written = user.with(line: line.bytes, unescaped: scratch.user) { id -> Bool in
                // A record's id length is 16 bits; a longer id (a line may be 1 MiB) has no record form.
                guard id.count <= Int(UInt16.max) else { return false }
                let text = payload == .keep ? line.bytes : UnsafeRawBufferPointer(start: nil, count: 0)
                FrameRecords.append(user: id, timeMs: timeMs, payload: text, to: &output)
                return true
            }
            if written {
                converted += 1
            } else {
                skip(line, 0, "user id is longer than 65,535 bytes, the most a record holds")
            }
        case .blank:
            skipped += 1
        case .problem(_, let offset, let message):
            skip(line, offset, message)
        }
    }

    private mutating func skip(_ line: LineSplitter.Line, _ offset: Int, _ message: String) {
        skipped += 1
        if firstProblems.count < CountStream.reportedProblems {
            firstProblems.append(CountStream.Problem(line: line.number, offset: line.offset + offset, message: message))
        }
    }
}
