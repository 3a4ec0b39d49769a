/// Splits a stream of Tally frame records (`FrameRecords`) that arrives in arbitrary chunks: checks the magic, then
/// hands out each record in place, copying only a record cut by a chunk boundary.
///
/// The magic may also stand between records (files concatenated with `cat` stay one stream): read as a length it
/// would be 827,475,540, far above `FrameRecords.maxRecordBytes`, so it cannot be mistaken for a record.
///
/// Unlike a line, a record cannot be skipped when its length is damaged (nothing marks where the next one starts),
/// so a bad length or a truncated end is an error of the whole stream, with the byte offset where it was found.
public struct FrameRecordSplitter: Sendable {
    /// A stream that is not Tally frame records from some byte on.
    public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// Offset in the stream of the record (or magic) that could not be read.
        public var offset: Int
        /// What is wrong there.
        public var problem: String

        public var description: String { "byte \(offset): \(problem)" }
    }

    /// Records handed out so far (with the count it started from).
    public private(set) var recordCount: Int
    /// Bytes fed so far (with the count it started from).
    public private(set) var bytesSeen: Int
    /// Bytes of an unfinished record (or of the magic) held back for the next chunk: `bytesSeen - pendingBytes` is
    /// where the next record starts, the position a checkpoint resumes from.
    public var pendingBytes: Int { carry.count }
    private var carry: [UInt8] = []
    /// The next four bytes must be the magic (the start of a stream or of another file).
    private var magicRead: Bool

    /// The magic as the length field would read it.
    private static let magicAsLength: UInt32 = BinaryFormat.frameRecords.rawValue.utf8.reversed().reduce(0) { $0 << 8 | UInt32($1) }

    /// A splitter at the start of a stream, or continuing one that already had `recordCount` records in `bytesSeen`
    /// bytes (a restored checkpoint: the magic is behind it then, though one may still come).
    public init(recordCount: Int = 0, bytesSeen: Int = 0) {
        self.recordCount = recordCount
        self.bytesSeen = bytesSeen
        magicRead = bytesSeen > 0
    }

    /// The stream continues with another file, which must open with the magic.
    public mutating func expectMagic() {
        magicRead = false
    }

    /// Calls `body` with every record the chunk completes.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ body: (FrameRecords.Record) throws -> Void) throws {
        var input = chunk
        var inputOffset = bytesSeen
        bytesSeen += chunk.count
        /// Moves up to `count` bytes of the input into the carry.
        func take(_ count: Int) {
            let taken = min(max(0, count), input.count)
            carry.append(contentsOf: input.prefix(taken))
            input = UnsafeRawBufferPointer(rebasing: input[taken...])
            inputOffset += taken
        }
        if !magicRead {
            take(4 - carry.count)
            guard carry.count == 4 else { return }
            try checkMagic(at: inputOffset - 4)
        }
        if !carry.isEmpty {
            // Complete the record the previous chunk started: its length first, then the rest of it.
            let recordStart = inputOffset - carry.count
            take(4 - carry.count)
            guard carry.count >= 4 else { return }
            if carryLength == Self.magicAsLength {
                carry.removeAll(keepingCapacity: true)
            } else {
                let length = try validatedCarryLength(at: recordStart)
                take(4 + length - carry.count)
                guard carry.count == 4 + length else { return }
                try carry.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[4...]), at: recordStart, body) }
                carry.removeAll(keepingCapacity: true)
            }
        }
        try feedRest(input, at: inputOffset, body)
    }

    /// Records of `input`, which starts at a record boundary at `offset` in the stream.
    private mutating func feedRest(_ input: UnsafeRawBufferPointer, at offset: Int, _ body: (FrameRecords.Record) throws -> Void) throws {
        var position = 0
        while input.count - position >= 4 {
            let field = UInt32(littleEndian: input.loadUnaligned(fromByteOffset: position, as: UInt32.self))
            if field == Self.magicAsLength {
                position += 4
                continue
            }
            let length = Int(field)
            guard length >= FrameRecords.fixedBytes, length <= FrameRecords.maxRecordBytes else {
                throw Failure(offset: offset + position, problem: FrameRecords.Problem.badLength(length).description)
            }
            guard input.count - position - 4 >= length else { break }
            try emit(UnsafeRawBufferPointer(rebasing: input[(position + 4)..<(position + 4 + length)]), at: offset + position, body)
            position += 4 + length
        }
        carry.append(contentsOf: input[position...])
        if carry.count >= 4, carryLength != Self.magicAsLength { _ = try validatedCarryLength(at: offset + position) }
    }

    /// Counts a record that arrived framed by its transport (a Kafka message) rather than by this splitter; returns
    /// its number.
    public mutating func countRecord(bytes: Int) -> Int {
        recordCount += 1
        bytesSeen += bytes
        return recordCount
    }

    /// End of the stream (or of one file): anything held back is a record (or magic) cut short. An empty file is
    /// an empty stream.
    public func finish() throws {
        guard !carry.isEmpty else { return }
        let missing = neededBytes() - carry.count
        throw Failure(offset: bytesSeen - carry.count, problem: FrameRecords.Problem.truncated(missing: missing).description)
    }

    private mutating func checkMagic(at offset: Int) throws {
        guard carry.elementsEqual(BinaryFormat.frameRecords.rawValue.utf8) else {
            let found = BinaryFormat(rawValue: String(decoding: carry, as: UTF8.self)).map { "\($0.contents) (\($0.rawValue))" }
            throw Failure(
                offset: offset,
                problem: "expected \(BinaryFormat.frameRecords.contents) (\(BinaryFormat.frameRecords.rawValue)) but found "
                    + (found ?? "bytes of no format Tally knows"))
        }
        magicRead = true
        carry.removeAll(keepingCapacity: true)
    }

    /// How many bytes the carry must hold to be complete: the magic, a length, or a whole record.
    private func neededBytes() -> Int {
        guard magicRead, carry.count >= 4, carryLength != Self.magicAsLength else { return 4 }
        return 4 + Int(carryLength)
    }

    /// The length field at the start of the carry (which holds at least four bytes).
    private var carryLength: UInt32 { carry.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) } }

    private func validatedCarryLength(at offset: Int) throws -> Int {
        let length = Int(carryLength)
        guard length >= FrameRecords.fixedBytes, length <= FrameRecords.maxRecordBytes else {
            throw Failure(offset: offset, problem: FrameRecords.Problem.badLength(length).description)
        }
        return length
    }

    private mutating func emit(_ body: UnsafeRawBufferPointer, at offset: Int, _ handle: (FrameRecords.Record) throws -> Void) throws {
        recordCount += 1
        do {
            try handle(try FrameRecords.read(body: body, number: recordCount))
        } catch let problem as FrameRecords.Problem {
            throw Failure(offset: offset, problem: problem.description)
        }
    }
}
