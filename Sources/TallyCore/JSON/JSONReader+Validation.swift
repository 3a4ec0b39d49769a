/// The validating skip of `tally count --validate`: the same grammar and errors as `skipValue`, in one loop over a
/// raw pointer instead of one call per value. Containers are tracked in a bit stack (depth ≤ 64, as `skipValue`),
/// strings are scanned eight bytes at a time with escapes checked in place, and indices use wrapping arithmetic
/// (every index stays below the buffer's count, checked before each read).
///
/// Why a second implementation: the adversarial frames hold ~300 values each (a string with an escape every few
/// bytes, numbers, literals, nested containers); with one call per value, call overhead and re-checks were most of
/// the cost of validation (measured: docs/performance.md).
extension JSONReader {
    /// Skips one value of any kind at the current position, checking its syntax.
    public mutating func skipValueValidating(depth: Int = 0) throws(JSONSyntaxError) {
        try skipValidating(depth: depth, restOfObject: false)
    }

    /// Right after a member's value inside an object at `depth`: skips the object's remaining members and its closing
    /// brace, checking their syntax (the rest of a frame once its fields are found, in one call).
    public mutating func skipRestOfObjectValidating(depth: Int = 0) throws(JSONSyntaxError) {
        try skipValidating(depth: depth, restOfObject: true)
    }

    @inline(__always)
    private mutating func skipValidating(depth: Int, restOfObject: Bool) throws(JSONSyntaxError) {
        guard let p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw error("unexpected end of input") }
        let n = bytes.count
        var i = offset
        /// Inside the object whose rest is skipped, the loop starts after a value one level down.
        var level = restOfObject ? depth &+ 1 : depth
        var afterValue = restOfObject
        /// Bit k set: the container at nesting k (counted from `depth`) is an array.
        var arrays: UInt64 = 0
        @inline(__always) func skipSpace() {
            while i < n, p[i] <= 0x20, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i &+= 1 }
        }
        func fail(_ at: Int, _ reason: String) -> JSONSyntaxError { JSONSyntaxError(offset: at, reason: reason) }

        value: while true {
            if afterValue {
                afterValue = false
            } else {
                guard level < Self.maximumDepth else { throw fail(i, "nesting deeper than \(Self.maximumDepth) levels") }
                skipSpace()
                guard i < n else { throw fail(i, "unexpected end of input") }
                switch p[i] {
                case 0x22:
                    i = try Self.skipStringBody(p, n, i &+ 1)
                case 0x7B, 0x5B:
                    let isArray = p[i] == 0x5B
                    let bit = UInt64(1) << UInt64(level &- depth)
                    arrays = isArray ? arrays | bit : arrays & ~bit
                    level &+= 1
                    i &+= 1
                    skipSpace()
                    if i < n, p[i] == (isArray ? 0x5D : 0x7D) {
                        i &+= 1
                        level &-= 1
                    } else if isArray {
                        continue value
                    } else {
                        i = try Self.skipMemberName(p, n, i)
                        continue value
                    }
                case 0x2D, 0x30...0x39:
                    i = try Self.skipNumberBody(p, n, i)
                case 0x74: i = try Self.skipLiteral(p, n, i, 0x6575_7274, 4)  // "true"
                case 0x66: i = try Self.skipLiteral(p, n, i, 0x6573_6C61, 5)  // "false" (after the "f")
                case 0x6E: i = try Self.skipLiteral(p, n, i, 0x6C6C_756E, 4)  // "null"
                default: throw fail(i, "unexpected character")
                }
            }
            // After a value: close containers, or go on to the next element or member.
            while level > depth {
                skipSpace()
                let isArray = arrays & (UInt64(1) << UInt64(level &- 1 &- depth)) != 0
                guard i < n else { throw fail(i, isArray ? "expected ',' or ']' in an array" : "expected ',' or '}' in an object") }
                let c = p[i]
                if c == 0x2C {
                    i &+= 1
                    if !isArray {
                        skipSpace()
                        i = try Self.skipMemberName(p, n, i)
                    }
                    continue value
                }
                guard c == (isArray ? 0x5D : 0x7D) else {
                    throw fail(i, isArray ? "expected ',' or ']' in an array" : "expected ',' or '}' in an object")
                }
                i &+= 1
                level &-= 1
            }
            offset = i
            return
        }
    }

    /// Skips a string at the current position (escapes checked, control characters rejected).
    public mutating func skipStringValidating() throws(JSONSyntaxError) {
        guard offset < bytes.count, let p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), p[offset] == 0x22 else {
            throw error("expected a string")
        }
        offset = try Self.skipStringBody(p, bytes.count, offset &+ 1)
    }

    /// `"name"` then `:` (with whitespace around the colon); returns the index after the colon.
    @inline(__always)
    private static func skipMemberName(_ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int) throws(JSONSyntaxError) -> Int {
        guard start < n, p[start] == 0x22 else { throw JSONSyntaxError(offset: start, reason: "expected a member name in double quotes") }
        var i = try skipStringBody(p, n, start &+ 1)
        while i < n, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i &+= 1 }
        guard i < n, p[i] == 0x3A else { throw JSONSyntaxError(offset: i, reason: "expected ':' after a member name") }
        return i &+ 1
    }

    /// From after the opening quote to after the closing one: escapes are checked, control characters rejected.
    @inline(__always)
    private static func skipStringBody(_ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int) throws(JSONSyntaxError) -> Int {
        var i = start
        let raw = UnsafeRawPointer(p)
        while true {
            while i &+ 8 <= n {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                if let special = firstSpecialByte(word) {
                    i &+= special
                    break
                }
                i &+= 8
            }
            guard i < n else { throw JSONSyntaxError(offset: n, reason: "unterminated string") }
            let c = p[i]
            if c == 0x22 { return i &+ 1 }
            if c == 0x5C {
                guard i &+ 1 < n else { throw JSONSyntaxError(offset: n, reason: "unterminated string") }
                let e = p[i &+ 1]
                // \" \\ \/ \b \f \n \r \t: one bit each in a 128-bit mask.
                if e < 0x80, (e < 0x40 ? simpleEscapesLow >> UInt64(e) : simpleEscapesHigh >> UInt64(e &- 0x40)) & 1 != 0 {
                    i &+= 2
                } else if e == 0x75 {
                    guard i &+ 6 <= n else { throw JSONSyntaxError(offset: i &+ 2, reason: "truncated \\u escape") }
                    for k in 2..<6 where !isHexDigit(p[i &+ k]) {
                        throw JSONSyntaxError(offset: i &+ k, reason: "invalid hex digit in \\u escape")
                    }
                    i &+= 6
                } else {
                    throw JSONSyntaxError(offset: i &+ 1, reason: "invalid escape sequence")
                }
            } else if c < 0x20 {
                throw JSONSyntaxError(offset: i, reason: "control character in a string")
            } else {
                i &+= 1  // the tail, byte by byte
            }
        }
    }

    private static let simpleEscapesLow: UInt64 = 1 << 0x22 | 1 << 0x2F
    private static let simpleEscapesHigh: UInt64 =
        1 << (0x5C - 0x40) | 1 << (0x62 - 0x40) | 1 << (0x66 - 0x40)
        | 1 << (0x6E - 0x40) | 1 << (0x72 - 0x40) | 1 << (0x74 - 0x40)

    @inline(__always)
    private static func isHexDigit(_ c: UInt8) -> Bool {
        (c &- 0x30) < 10 || ((c | 0x20) &- 0x61) < 6
    }

    /// A number, with the grammar of `skipNumber`; returns the index after it.
    @inline(__always)
    static func skipNumberBody(_ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int) throws(JSONSyntaxError) -> Int {
        var i = start
        @inline(__always) func isDigit(_ k: Int) -> Bool { k < n && (p[k] &- 0x30) < 10 }
        if p[i] == 0x2D { i &+= 1 }
        guard isDigit(i) else { throw JSONSyntaxError(offset: i, reason: "invalid number") }
        if p[i] == 0x30 {
            i &+= 1
            if isDigit(i) { throw JSONSyntaxError(offset: i, reason: "leading zeros are not allowed in numbers") }
        } else {
            while isDigit(i) { i &+= 1 }
        }
        if i < n, p[i] == 0x2E {
            i &+= 1
            guard isDigit(i) else { throw JSONSyntaxError(offset: i, reason: "expected a digit after the decimal point") }
            while isDigit(i) { i &+= 1 }
        }
        if i < n, p[i] | 0x20 == 0x65 {
            i &+= 1
            if i < n, p[i] == 0x2B || p[i] == 0x2D { i &+= 1 }
            guard isDigit(i) else { throw JSONSyntaxError(offset: i, reason: "expected a digit in the exponent") }
            while isDigit(i) { i &+= 1 }
        }
        return i
    }

    /// `true`, `null` (4 bytes from `start`) or `false` (the 4 bytes after the `f`), compared as one word.
    @inline(__always)
    private static func skipLiteral(_ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int, _ word: UInt32, _ length: Int)
        throws(JSONSyntaxError) -> Int
    {
        let from = start &+ length &- 4
        guard start &+ length <= n,
            UInt32(littleEndian: UnsafeRawPointer(p).loadUnaligned(fromByteOffset: from, as: UInt32.self)) == word
        else { throw JSONSyntaxError(offset: start, reason: "invalid literal") }
        return start &+ length
    }
}
