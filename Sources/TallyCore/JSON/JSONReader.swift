/// A strict, allocation-light, pull-style JSON reader over a byte buffer.
///
/// Ingest decoders walk an object's members and pick the fields they know, skipping everything else structurally.
/// This is faster than building a tree or going through `Codable`, and it lets errors name the exact field and
/// byte offset. The reader follows RFC 8259: no comments, no trailing commas, no control characters in strings,
/// valid UTF-8 only.
public struct JSONReader {
    /// The text being read; borrowed, so the reader must not outlive the buffer.
    public let bytes: UnsafeRawBufferPointer
    /// Where the next read starts; errors report it.
    public internal(set) var offset: Int
    /// Containers nested deeper than this are rejected instead of recursing without bound.
    public static let maximumDepth = 64

    /// A reader of `bytes` from `offset`.
    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    /// True when nothing is left to read.
    public var isAtEnd: Bool { offset >= bytes.count }

    /// The next non-whitespace byte, without consuming it.
    @inline(__always)
    public mutating func peek() -> UInt8? {
        skipWhitespace()
        return offset < bytes.count ? bytes[offset] : nil
    }

    /// Skips the four JSON whitespace bytes (space, tab, CR, LF), no others.
    @inline(__always)
    public mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    /// Consumes `byte` if it is next (after whitespace).
    @inline(__always)
    public mutating func consume(_ byte: UInt8) -> Bool {
        if peek() == byte {
            offset += 1
            return true
        }
        return false
    }

    /// A syntax error at the current offset.
    public func error(_ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: offset, reason: reason)
    }

    /// Calls `body` once per member of the object that starts here, with the reader positioned on the value.
    /// `body` must consume the value (with `readValue()` or `skipValue()`).
    public mutating func readObject(
        _ body: (_ key: String, _ reader: inout JSONReader) throws -> Void
    ) throws {
        guard consume(0x7B) else { throw error(peek() == nil ? "unexpected end of input" : "expected '{'") }
        if consume(0x7D) { return }
        while true {
            guard peek() == 0x22 else { throw error("expected a member name in double quotes") }
            let key = try readString()
            guard consume(0x3A) else { throw error("expected ':' after a member name") }
            skipWhitespace()
            let before = offset
            try body(key, &self)
            if offset == before { try skipValue() }
            if consume(0x2C) { continue }
            if consume(0x7D) { return }
            throw error("expected ',' or '}' in an object")
        }
    }

    /// Like `readObject`, but hands out each key as raw bytes when it has no escapes (decoding it otherwise), so
    /// decoders can match known keys without allocating. `body` sees the reader on the value and must not consume
    /// it: the value is skipped (and its syntax checked) afterwards.
    public mutating func readObjectMembers(
        _ body: (_ key: UnsafeRawBufferPointer, _ reader: inout JSONReader) throws -> Void
    ) throws {
        guard consume(0x7B) else { throw error(peek() == nil ? "unexpected end of input" : "expected '{'") }
        if consume(0x7D) { return }
        while true {
            guard peek() == 0x22 else { throw error("expected a member name in double quotes") }
            let before = offset
            if let raw = readUnescapedStringBytes() {
                guard consume(0x3A) else { throw error("expected ':' after a member name") }
                try member(raw, body)
            } else {
                offset = before
                var key = Array(try readString().utf8)
                guard consume(0x3A) else { throw error("expected ':' after a member name") }
                try key.withUnsafeMutableBytes { try member(UnsafeRawBufferPointer($0), body) }
            }
            if consume(0x2C) { continue }
            if consume(0x7D) { return }
            throw error("expected ',' or '}' in an object")
        }
    }

    private mutating func member(
        _ key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, inout JSONReader) throws -> Void
    ) throws {
        skipWhitespace()
        try body(key, &self)
        try skipValue(depth: 1)
    }

    /// Calls `body` once per element of the array that starts here, positioned on the element.
    public mutating func readArray(_ body: (_ index: Int, _ reader: inout JSONReader) throws -> Void) throws {
        guard consume(0x5B) else { throw error("expected '['") }
        if consume(0x5D) { return }
        var index = 0
        while true {
            skipWhitespace()
            let before = offset
            try body(index, &self)
            if offset == before { try skipValue() }
            index += 1
            if consume(0x2C) { continue }
            if consume(0x5D) { return }
            throw error("expected ',' or ']' in an array")
        }
    }

    /// Reads a scalar, or skips a container and reports its kind.
    public mutating func readValue() throws -> JSONValue {
        guard let byte = peek() else { throw error("unexpected end of input") }
        switch byte {
        case 0x22: return .string(try readString())
        case 0x7B:
            try skipValue()
            return .object
        case 0x5B:
            try skipValue()
            return .array
        case 0x74:
            try readLiteral("true")
            return .bool(true)
        case 0x66:
            try readLiteral("false")
            return .bool(false)
        case 0x6E:
            try readLiteral("null")
            return .null
        case 0x2D, 0x30...0x39: return try readNumber()
        default: throw error("unexpected character")
        }
    }

    /// Skips one value of any kind, checking its syntax.
    public mutating func skipValue(depth: Int = 0) throws {
        guard depth < Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth) levels") }
        guard let byte = peek() else { throw error("unexpected end of input") }
        switch byte {
        case 0x7B:
            offset += 1
            if consume(0x7D) { return }
            while true {
                guard peek() == 0x22 else { throw error("expected a member name in double quotes") }
                try skipString()
                guard consume(0x3A) else { throw error("expected ':' after a member name") }
                try skipValue(depth: depth + 1)
                if consume(0x2C) { continue }
                if consume(0x7D) { return }
                throw error("expected ',' or '}' in an object")
            }
        case 0x5B:
            offset += 1
            if consume(0x5D) { return }
            while true {
                try skipValue(depth: depth + 1)
                if consume(0x2C) { continue }
                if consume(0x5D) { return }
                throw error("expected ',' or ']' in an array")
            }
        case 0x22:
            try skipString()
        case 0x2D, 0x30...0x39:
            try skipNumber()
        default:
            _ = try readValue()
        }
    }

    /// Checks and skips a number without converting it (the validate path of the frame scanner).
    public mutating func skipNumber() throws {
        var i = offset
        if i < bytes.count, bytes[i] == 0x2D { i += 1 }
        guard i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 else { throw JSONSyntaxError(offset: i, reason: "invalid number") }
        if bytes[i] == 0x30 {
            i += 1
            if i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                throw JSONSyntaxError(offset: i, reason: "leading zeros are not allowed in numbers")
            }
        } else {
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
        }
        if i < bytes.count, bytes[i] == 0x2E {
            i += 1
            guard i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 else {
                throw JSONSyntaxError(offset: i, reason: "expected a digit after the decimal point")
            }
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
        }
        if i < bytes.count, bytes[i] == 0x65 || bytes[i] == 0x45 {
            i += 1
            if i < bytes.count, bytes[i] == 0x2B || bytes[i] == 0x2D { i += 1 }
            guard i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 else {
                throw JSONSyntaxError(offset: i, reason: "expected a digit in the exponent")
            }
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
        }
        offset = i
    }

    private mutating func readLiteral(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard offset + count <= bytes.count else { throw error("unexpected end of input") }
        let matches = word.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[offset + $0] == expected[$0] }
        }
        guard matches else { throw error("invalid literal") }
        offset += count
    }
}
