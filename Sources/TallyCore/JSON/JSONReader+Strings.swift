extension JSONReader {
    /// Reads a string value, decoding escapes and validating UTF-8.
    public mutating func readString() throws -> String {
        guard peek() == 0x22 else { throw error("expected a string") }
        let start = offset + 1
        var i = start
        var high: UInt8 = 0
        // Fast path: no escapes, the common case for ids; ASCII needs no UTF-8 validation.
        while i < bytes.count {
            let c = bytes[i]
            high |= c
            if c == 0x22 {
                let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<i])
                offset = i + 1
                return try Self.makeString(slice, ascii: high < 0x80, offset: start)
            }
            if c == 0x5C { break }
            if c < 0x20 { throw JSONSyntaxError(offset: i, reason: "control character in a string") }
            i += 1
        }
        return try readEscapedString(start: start, firstEscape: i)
    }

    /// The raw bytes between the quotes of the string that starts here, when it has no escapes (nil otherwise,
    /// leaving the reader where it was). Lets decoders compare keys and parse timestamps without a `String`.
    public mutating func readUnescapedStringBytes() -> UnsafeRawBufferPointer? {
        guard peek() == 0x22 else { return nil }
        let start = offset + 1
        let count = bytes.count
        var i = nextSpecialByte(from: start)
        while i < count {
            let c = bytes[i]
            if c == 0x22 {
                offset = i + 1
                return UnsafeRawBufferPointer(rebasing: bytes[start..<i])
            }
            if c == 0x5C || c < 0x20 { return nil }
            i += 1
        }
        return nil
    }

    /// Index of the first quote, backslash or control byte at or after `from`, eight bytes at a time until one
    /// word has one, then the exact index within it; `bytes.count` ends a scan that finds none before the tail
    /// (callers check the remaining bytes one by one).
    @inline(__always)
    func nextSpecialByte(from start: Int) -> Int {
        var i = start
        guard let base = bytes.baseAddress else { return i }
        while i + 8 <= bytes.count {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            if let special = Self.firstSpecialByte(word) { return i + special }
            i += 8
        }
        return i
    }

    /// Index (0–7) of the first byte of `word` (little-endian) that is a quote, a backslash or a control
    /// character, or nil when there is none.
    @inline(__always)
    static func firstSpecialByte(_ word: UInt64) -> Int? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ 0x2222_2222_2222_2222
        let slash = word ^ 0x5C5C_5C5C_5C5C_5C5C
        let special = ((quote &- ones) & ~quote | (slash &- ones) & ~slash | (word &- 0x2020_2020_2020_2020) & ~word) & highs
        return special == 0 ? nil : special.trailingZeroBitCount / 8
    }

    static func makeString(_ bytes: UnsafeRawBufferPointer, ascii: Bool, offset: Int) throws -> String {
        if ascii { return String(decoding: bytes, as: UTF8.self) }
        guard let text = String(validating: bytes.bindMemory(to: UInt8.self), as: UTF8.self) else {
            throw JSONSyntaxError(offset: offset, reason: "string is not valid UTF-8")
        }
        return text
    }

    /// Skips a string without decoding it (escapes and control characters are still checked). Scans eight bytes
    /// at a time for a quote, a backslash or a control character: strings are most of a log frame's bytes.
    public mutating func skipString() throws {
        guard peek() == 0x22 else { throw error("expected a string") }
        var i = offset + 1
        let count = bytes.count
        while true {
            i = nextSpecialByte(from: i)
            guard i < count else { throw JSONSyntaxError(offset: count, reason: "unterminated string") }
            let c = bytes[i]
            switch c {
            case 0x22:
                offset = i + 1
                return
            case 0x5C:
                guard i + 1 < count else { throw JSONSyntaxError(offset: count, reason: "unterminated string") }
                switch bytes[i + 1] {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: i += 2
                case 0x75:
                    _ = try hex4(at: i + 2)
                    i += 6
                default: throw JSONSyntaxError(offset: i + 1, reason: "invalid escape sequence")
                }
            case 0..<0x20:
                throw JSONSyntaxError(offset: i, reason: "control character in a string")
            default:
                i += 1
            }
        }
    }

    private mutating func readEscapedString(start: Int, firstEscape: Int) throws -> String {
        var out = [UInt8]()
        out.reserveCapacity(firstEscape - start + 16)
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<firstEscape]))
        var i = firstEscape
        while i < bytes.count {
            let c = bytes[i]
            switch c {
            case 0x22:
                offset = i + 1
                return try out.withUnsafeBytes { try Self.makeString($0, ascii: false, offset: start) }
            case 0x5C:
                guard i + 1 < bytes.count else { throw JSONSyntaxError(offset: bytes.count, reason: "unterminated string") }
                let e = bytes[i + 1]
                i += 2
                switch e {
                case 0x22: out.append(0x22)
                case 0x5C: out.append(0x5C)
                case 0x2F: out.append(0x2F)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                case 0x74: out.append(0x09)
                case 0x75:
                    var scalar = try hex4(at: i)
                    i += 4
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard i + 6 <= bytes.count, bytes[i] == 0x5C, bytes[i + 1] == 0x75 else {
                            throw JSONSyntaxError(offset: i, reason: "unpaired UTF-16 surrogate in \\u escape")
                        }
                        let low = try hex4(at: i + 2)
                        guard (0xDC00..<0xE000).contains(low) else {
                            throw JSONSyntaxError(offset: i, reason: "invalid UTF-16 low surrogate")
                        }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw JSONSyntaxError(offset: i - 6, reason: "unpaired UTF-16 surrogate in \\u escape")
                    }
                    guard let unicode = Unicode.Scalar(scalar) else {
                        throw JSONSyntaxError(offset: i, reason: "invalid \\u escape")
                    }
                    out.append(contentsOf: Unicode.UTF8.encode(unicode)!)
                default:
                    throw JSONSyntaxError(offset: i - 1, reason: "invalid escape sequence")
                }
            default:
                if c < 0x20 { throw JSONSyntaxError(offset: i, reason: "control character in a string") }
                out.append(c)
                i += 1
            }
        }
        throw JSONSyntaxError(offset: bytes.count, reason: "unterminated string")
    }

    private func hex4(at position: Int) throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw JSONSyntaxError(offset: position, reason: "truncated \\u escape") }
        var value: UInt32 = 0
        for k in 0..<4 {
            let c = bytes[position + k]
            let digit: UInt32
            switch c {
            case 0x30...0x39: digit = UInt32(c - 0x30)
            case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
            default: throw JSONSyntaxError(offset: position + k, reason: "invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
        }
        return value
    }
}
