extension JSONValidator {
    /// Numbers and literals at `offsets`: each must be `true`, `false`, `null` or a number in JSON's grammar, and
    /// end where whitespace, an operator or a quote begins (`tru`, `1x` or `0012` are errors).
    ///
    /// Literals and numbers without an exponent of up to 15 bytes (all of the brief's) are checked from 16 bytes'
    /// masks with no branch on the data; others go through `JSONReader`'s number grammar.
    @inline(__always)
    static func scalarsHold(_ input: Input, _ offsets: UnsafeBufferPointer<UInt32>) -> Bool {
        var failed: UInt64 = 0
        for offset in offsets {
            let start = Int(offset)
            let scalar = input.readable(start)
            let raw = UnsafeRawPointer(scalar)
            let v = raw.loadUnaligned(as: SIMD16<UInt8>.self)
            typealias Masks = JSONBlockClassifier
            @inline(__always) func matching(_ byte: UInt8) -> UInt64 { Masks.bits(v .== Masks.splat(byte)) }
            let digits = Masks.bits(v &- Masks.splat(0x30) .< Masks.splat(10))
            let zeros = matching(0x30), dots = matching(0x2E), minus = matching(0x2D)
            let exponents = Masks.bits(v | Masks.splat(0x20) .== Masks.splat(0x65)) | matching(0x2B) // e E +
            let numberLength = (~(digits | dots | minus | exponents)).trailingZeroBitCount
            let run: UInt64 = (1 << numberLength) &- 1
            let first = minus & 1 // after an optional minus sign
            // Each term is non-zero when the number breaks a rule: no digit first; `0` then a digit; more than one
            // dot, or one without a digit on each side; a minus sign later; an exponent or 16 bytes (left to the
            // exact grammar below).
            let dot = dots & run
            let complex = exponents & run | UInt64(truncatingIfNeeded: numberLength >> 4)
            let broken = (digits >> first & 1 ^ 1) | (zeros >> first & digits >> (first &+ 1) & 1)
                | dot & (dot &- 1) | dot >> 1 & ~digits | dot << 1 & ~digits | minus & run & ~1 | complex

            let word = UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self))
            let fifth = raw.load(fromByteOffset: 4, as: UInt8.self)
            let shortLiteral: UInt64 = (word == 0x6575_7274 ? 1 : 0) | (word == 0x6C6C_756E ? 1 : 0) // "true", "null"
            let falseLiteral: UInt64 = (word == 0x736C_6166 ? 1 : 0) & (fifth == 0x65 ? 1 : 0) // "fals" "e"
            let length = shortLiteral != 0 ? 4 : falseLiteral != 0 ? 5 : numberLength
            if broken & ((shortLiteral | falseLiteral) &- 1) != 0 {
                // Exponents and long numbers: the exact grammar, rarely.
                guard complex != 0, let end = try? JSONReader.skipNumberBody(input.bytes, input.count, start) else {
                    return false
                }
                failed |= end < input.count ? isDelimiter(input.bytes[end]) ^ 1 : 0
                continue
            }
            // Past the input's end, `readable` gives spaces.
            failed |= isDelimiter(scalar[length]) ^ 1
        }
        return failed == 0
    }

    /// Whitespace, `{ } [ ] : ,` and `"` may follow a number or literal (a quote is then rejected by the grammar).
    @inline(__always)
    private static func isDelimiter(_ byte: UInt8) -> UInt64 {
        // One bit per byte value: whitespace, `"`, `,`, `:` below 0x40; `[ ] { }` (0x5B 0x5D 0x7B 0x7D) above.
        let low: UInt64 = 1 << 0x20 | 1 << 0x09 | 1 << 0x0A | 1 << 0x0D | 1 << 0x22 | 1 << 0x2C | 1 << 0x3A
        let high: UInt64 = 1 << (0x5B - 0x40) | 1 << (0x5D - 0x40) | 1 << (0x7B - 0x40) | 1 << (0x7D - 0x40)
        let table = byte < 0x40 ? low : byte < 0x80 ? high : 0
        return table >> UInt64(byte & 63) & 1
    }
}
