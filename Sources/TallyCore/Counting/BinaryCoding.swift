/// Little-endian binary encoding for checkpoints and sketches: a stable byte format that other processes and later
/// versions can read (every format starts with a magic and a version).
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func write(_ value: UInt8) { bytes.append(value) }
    public mutating func write(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func write(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func write(_ value: Int64) { write(UInt64(bitPattern: value)) }
    public mutating func write(_ value: Int) { write(Int64(value)) }
    public mutating func write(_ value: Bool) { write(UInt8(value ? 1 : 0)) }
    public mutating func write(_ value: String) {
        write(UInt32(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }
    /// Opens `format`'s bytes with its magic (kind and version).
    public mutating func write(format: BinaryFormat) {
        bytes.append(contentsOf: format.rawValue.utf8)
    }

    public mutating func write(raw: [UInt8]) {
        write(UInt32(raw.count))
        bytes.append(contentsOf: raw)
    }
}

/// Reads what `ByteWriter` wrote; every read is bounds-checked, so a truncated or foreign file is an error, not a crash.
public struct ByteReader: Sendable {
    public struct Failure: Error, CustomStringConvertible, Sendable, Equatable {
        public var description: String
    }

    private let bytes: [UInt8]
    public private(set) var offset = 0

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var isAtEnd: Bool { offset == bytes.count }

    private mutating func take(_ count: Int) throws(Failure) -> ArraySlice<UInt8> {
        guard count >= 0, offset + count <= bytes.count else { throw Failure(description: "data is truncated at byte \(offset)") }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    public mutating func readUInt8() throws(Failure) -> UInt8 { try take(1).first! }
    public mutating func readUInt32() throws(Failure) -> UInt32 {
        try take(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
    public mutating func readUInt64() throws(Failure) -> UInt64 {
        try take(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
    public mutating func readInt64() throws(Failure) -> Int64 { Int64(bitPattern: try readUInt64()) }
    public mutating func readInt() throws(Failure) -> Int { Int(try readInt64()) }
    public mutating func readBool() throws(Failure) -> Bool { try readUInt8() != 0 }
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

    public mutating func readRaw() throws(Failure) -> [UInt8] {
        let count = Int(try readUInt32())
        return Array(try take(count))
    }
}
