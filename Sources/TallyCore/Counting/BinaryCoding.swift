/// Little-endian binary encoding for checkpoints and sketches: a stable byte format that other processes and later
/// versions can read (every format starts with a magic and a version).
public struct ByteWriter: Sendable {
    /// The encoded bytes so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty writer; the first write should be `write(format:)`.
    public init() {}

    /// One byte.
    public mutating func write(_ value: UInt8) { bytes.append(value) }
    /// Four bytes, little-endian (counts and lengths).
    public mutating func write(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    /// Eight bytes, little-endian.
    public mutating func write(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    /// Eight bytes, two's complement, little-endian (times, offsets).
    public mutating func write(_ value: Int64) { write(UInt64(bitPattern: value)) }
    /// As `Int64`, so the bytes do not depend on the platform's word size.
    public mutating func write(_ value: Int) { write(Int64(value)) }
    /// One byte, 0 or 1.
    public mutating func write(_ value: Bool) { write(UInt8(value ? 1 : 0)) }
    /// A `UInt32` byte count, then the UTF-8 bytes.
    public mutating func write(_ value: String) {
        write(UInt32(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }
    /// Opens `format`'s bytes with its magic (kind and version).
    public mutating func write(format: BinaryFormat) {
        bytes.append(contentsOf: format.rawValue.utf8)
    }

    /// Room for `count` more bytes, so a writer of known size grows its buffer once.
    public mutating func reserveCapacity(_ count: Int) { bytes.reserveCapacity(bytes.count + count) }

    /// 1–10 bytes, seven bits each, low first (LEB128): small numbers take one byte.
    public mutating func write(varint value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// A signed number as a varint, zigzagged so that small negative numbers stay short too.
    public mutating func write(zigzag value: Int64) {
        write(varint: UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// A varint byte count, then the UTF-8 bytes: `write(_: String)` for records with many short strings.
    public mutating func write(compact value: String) {
        write(varint: UInt64(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    /// A varint byte count, then the bytes.
    public mutating func write(compactRaw value: [UInt8]) {
        write(varint: UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A `UInt32` byte count, then the bytes: nests one format in another (a stream state in a checkpoint).
    public mutating func write(raw: [UInt8]) {
        write(UInt32(raw.count))
        bytes.append(contentsOf: raw)
    }
}

/// Reads what `ByteWriter` wrote; every read is bounds-checked, so a truncated or foreign file is an error, not a crash.
public struct ByteReader: Sendable {
    /// Why the bytes cannot be read: truncated, another format, or a value out of range.
    public struct Failure: Error, CustomStringConvertible, Sendable, Equatable {
        /// What is wrong, with the byte offset where it matters.
        public var description: String

        /// A failure for a check the caller makes on values it read (a range, a relation between fields).
        public init(description: String) {
            self.description = description
        }
    }

    private let bytes: [UInt8]
    /// Bytes read so far, for error messages.
    public private(set) var offset = 0

    /// A reader at the start of `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// True when every byte was read: readers check it to refuse trailing garbage.
    public var isAtEnd: Bool { offset == bytes.count }

    private mutating func take(_ count: Int) throws(Failure) -> ArraySlice<UInt8> {
        guard count >= 0, offset + count <= bytes.count else { throw Failure(description: "data is truncated at byte \(offset)") }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    /// Reads what `write(_: UInt8)` wrote.
    public mutating func readUInt8() throws(Failure) -> UInt8 { try take(1).first! }
    /// Reads what `write(_: UInt32)` wrote.
    public mutating func readUInt32() throws(Failure) -> UInt32 {
        try take(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
    /// Reads what `write(_: UInt64)` wrote.
    public mutating func readUInt64() throws(Failure) -> UInt64 {
        try take(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
    /// Reads what `write(_: Int64)` wrote.
    public mutating func readInt64() throws(Failure) -> Int64 { Int64(bitPattern: try readUInt64()) }
    /// Reads what `write(_: Int)` wrote.
    public mutating func readInt() throws(Failure) -> Int { Int(try readInt64()) }
    /// Reads what `write(_: Bool)` wrote.
    public mutating func readBool() throws(Failure) -> Bool { try readUInt8() != 0 }
    /// Reads what `write(_: String)` wrote; invalid UTF-8 is repaired, not trusted.
    public mutating func readString() throws(Failure) -> String {
        let count = Int(try readUInt32())
        return String(decoding: try take(count), as: UTF8.self)
    }
    /// Reads the magic and returns which of `expected` and `others` it is; throws, naming what was expected and
    /// what was found, for anything else (another kind of file, or a version this build does not read).
    @discardableResult
    public mutating func read(format expected: BinaryFormat, alsoAccepting others: [BinaryFormat] = []) throws(Failure) -> BinaryFormat {
        let found = String(decoding: try take(4), as: UTF8.self)
        if let format = ([expected] + others).first(where: { $0.rawValue == found }) { return format }
        let what =
            BinaryFormat(rawValue: found).map { "\($0.contents) (\($0.rawValue))" }
            ?? "bytes of no format Tally knows"
        throw Failure(description: "expected \(expected.contents) (\(expected.rawValue)) but found \(what)")
    }

    /// Reads the fingerprint of the options a state was written with (`write(_: String)`), and throws, naming it,
    /// unless it is `expected`: a state is only valid under the options that produced it. `what` names the state.
    public mutating func readFingerprint(expecting expected: String, of what: String) throws(Failure) {
        let found = try readString()
        guard found == expected else { throw Failure(description: "\(what) was made with other options (\(found))") }
    }

    /// Reads what `write(varint:)` wrote; more than 64 bits is an error.
    public mutating func readVarint() throws(Failure) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: UInt64(0), to: 64, by: 7) {
            let byte = try readUInt8()
            let bits = UInt64(byte & 0x7F)
            guard shift < 63 || bits <= 1 else { break }
            value |= bits << shift
            if byte < 0x80 { return value }
        }
        throw Failure(description: "a varint longer than 64 bits at byte \(offset)")
    }

    /// Reads what `write(zigzag:)` wrote.
    public mutating func readZigzag() throws(Failure) -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// Reads what `write(compact:)` wrote; invalid UTF-8 is repaired, not trusted.
    public mutating func readCompactString() throws(Failure) -> String {
        String(decoding: try take(try compactCount()), as: UTF8.self)
    }

    /// Reads what `write(compactRaw:)` wrote.
    public mutating func readCompactRaw() throws(Failure) -> [UInt8] {
        Array(try take(try compactCount()))
    }

    private mutating func compactCount() throws(Failure) -> Int {
        let count = try readVarint()
        guard count <= UInt64(bytes.count - offset) else { throw Failure(description: "data is truncated at byte \(offset)") }
        return Int(count)
    }

    /// Reads what `write(raw:)` wrote.
    public mutating func readRaw() throws(Failure) -> [UInt8] {
        let count = Int(try readUInt32())
        return Array(try take(count))
    }
}
