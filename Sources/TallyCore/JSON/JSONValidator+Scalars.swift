import CTallySIMD

extension JSONValidator {
    /// Numbers and literals at `offsets`: each must be `true`, `false`, `null` or a number in JSON's grammar, and
    /// end where whitespace, an operator or a quote begins (`tru`, `1x` or `0012` are errors).
    ///
    /// Literals and numbers without an exponent of up to 15 bytes (all of the brief's) are checked from 16 bytes'
    /// masks with no branch on the data; others go through `JSONReader`'s number grammar. Reads up to 16 bytes past
    /// a scalar's start: the input is padded.
    @inline(__always)
    static func scalarsHold(_ bytes: UnsafePointer<UInt8>, _ count: Int, _ offsets: UnsafeBufferPointer<UInt32>) -> Bool {
        var failed: UInt32 = 0
        for offset in offsets {
            let start = Int(offset)
            let raw = UnsafeRawPointer(bytes + start)
            let v = raw.loadUnaligned(as: SIMD16<UInt8>.self)
            let digits = bits(v &- splat(0x30) .< splat(10))
            let zeros = bits(v .== splat(0x30))
            let dots = bits(v .== splat(0x2E))
            let minus = bits(v .== splat(0x2D))
            let exponents = bits((v | splat(0x20)) .== splat(0x65)) | bits(v .== splat(0x2B))
            let length = (~(digits | dots | minus | exponents)).trailingZeroBitCount
            let run: UInt32 = (1 << length) &- 1
            let first = minus & 1 // after an optional minus sign
            // Each term is non-zero when the number breaks a rule: no digit first; `0` then a digit; more than one
            // dot, or one without a digit on each side; a minus sign later; an exponent or 16 bytes (left to the
            // exact grammar below).
            let dot = dots & run
            let complex = exponents & run | UInt32(truncatingIfNeeded: length >> 4)
            let broken = (digits >> first & 1 ^ 1) | (zeros >> first & digits >> (first &+ 1) & 1)
                | dot & (dot &- 1) | dot >> 1 & ~digits | dot << 1 & ~digits | minus & run & ~1 | complex

            let word = UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self))
            let fifth = raw.load(fromByteOffset: 4, as: UInt8.self)
            let shortLiteral: UInt32 = (word == 0x6575_7274 ? 1 : 0) | (word == 0x6C6C_756E ? 1 : 0) // "true", "null"
            let falseLiteral: UInt32 = (word == 0x736C_6166 ? 1 : 0) & (fifth == 0x65 ? 1 : 0) // "fals" "e"
            var end = start &+ (shortLiteral != 0 ? 4 : falseLiteral != 0 ? 5 : length)
            if broken & ((shortLiteral | falseLiteral) &- 1) != 0 {
                // Exponents and long numbers: the exact grammar, rarely.
                guard complex != 0, let after = try? JSONReader.skipNumberBody(bytes, count, start) else { return false }
                end = after
            }
            // The padding after the input is spaces, so `end` may be `count`.
            failed |= isDelimiter(bytes[end]) ^ 1
        }
        return failed == 0
    }

    /// Whitespace, `{ } [ ] : ,` and `"` may follow a number or literal (a quote is then rejected by the grammar).
    @inline(__always)
    private static func isDelimiter(_ byte: UInt8) -> UInt32 {
        // One bit per byte value: whitespace, `"`, `,`, `:` below 0x40; `[ ] { }` (0x5B 0x5D 0x7B 0x7D) above.
        let low: UInt64 = 1 << 0x20 | 1 << 0x09 | 1 << 0x0A | 1 << 0x0D | 1 << 0x22 | 1 << 0x2C | 1 << 0x3A
        let high: UInt64 = 1 << (0x5B - 0x40) | 1 << (0x5D - 0x40) | 1 << (0x7B - 0x40) | 1 << (0x7D - 0x40)
        let table = byte < 0x40 ? low : byte < 0x80 ? high : 0
        return UInt32(truncatingIfNeeded: table >> UInt64(byte & 63) & 1)
    }

    @inline(__always)
    private static func splat(_ byte: UInt8) -> SIMD16<UInt8> { SIMD16(repeating: byte) }

    @inline(__always)
    private static func bits(_ lanes: SIMDMask<SIMD16<Int8>>) -> UInt32 {
        UInt32(tally_movemask_u8x16(unsafeBitCast(lanes, to: SIMD16<UInt8>.self)))
    }
}
