extension JSONValidator {
    /// Numbers and literals at `offsets`: each must be `true`, `false`, `null` or a number in JSON's grammar, and
    /// end where whitespace, an operator or a quote begins (`tru`, `1x` or `0012` are errors).
    ///
    /// Literals and numbers without an exponent of up to 15 bytes (all of the brief's) are checked from 16 bytes'
    /// masks and a table on the first byte, with no branch on the data (numbers and literals come in random order:
    /// comparing the bytes with each literal compiled to branches that missed about once per value); others go
    /// through `JSONReader`'s number grammar.
    @inline(__always)
    static func scalarsHold(_ input: Input, _ offsets: UnsafeBufferPointer<UInt32>) -> Bool {
        var failed: UInt64 = 0
        return LiteralPattern.byFirstByte.withUnsafeBufferPointer { literals in
            for offset in offsets {
                let start = Int(offset)
                let scalar = input.readable(start)
                let raw = UnsafeRawPointer(scalar)
                let v = raw.loadUnaligned(as: SIMD16<UInt8>.self)
                typealias Masks = JSONBlockClassifier
                @inline(__always) func matching(_ byte: UInt8) -> UInt64 { Masks.bits(v .== Masks.splat(byte)) }
                let digits = Masks.bits(v &- Masks.splat(0x30) .< Masks.splat(10))
                let zeros = matching(0x30)
                let dots = matching(0x2E)
                let minus = matching(0x2D)
                let exponents = Masks.bits(v | Masks.splat(0x20) .== Masks.splat(0x65)) | matching(0x2B)  // e E +
                let numberLength = (~(digits | dots | minus | exponents)).trailingZeroBitCount
                let run: UInt64 = (1 << numberLength) &- 1
                let first = minus & 1  // after an optional minus sign
                // Each term is non-zero when the number breaks a rule: no digit first; `0` then a digit; more than one
                // dot, or one without a digit on each side; a minus sign later; an exponent or 16 bytes (left to the
                // exact grammar below).
                let dot = dots & run
                let complex = exponents & run | UInt64(truncatingIfNeeded: numberLength >> 4)
                let broken =
                    (digits >> first & 1 ^ 1) | (zeros >> first & digits >> (first &+ 1) & 1)
                    | dot & (dot &- 1) | dot >> 1 & ~digits | dot << 1 & ~digits | minus & run & ~1 | complex

                // A value starting with t, f or n must be that literal; its number run is empty, so OR gives the
                // length of either kind.
                let literal = literals[Int(scalar.pointee)]
                let literalBroken = (raw.loadUnaligned(as: UInt64.self) ^ literal.bytes) & literal.mask
                let length = numberLength | literal.length
                if broken & literal.numberRules | literalBroken != 0 {
                    // Exponents and long numbers: the exact grammar, rarely.
                    guard literal.length == 0, complex != 0,
                        let end = try? JSONReader.skipNumberBody(input.bytes, input.count, start)
                    else {
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
    }

    /// What a value starting with a given byte must be: `true`, `false` and `null` for t, f and n, with the number
    /// rules off; for any other byte, nothing to compare and the number rules on.
    struct LiteralPattern {
        /// The literal's bytes, little-endian, and the mask of its length.
        var bytes: UInt64 = 0, mask: UInt64 = 0
        var length = 0
        var numberRules: UInt64 = ~0

        init() {}

        init(_ text: StaticString) {
            length = text.utf8CodeUnitCount
            for index in 0..<length { bytes |= UInt64(text.utf8Start[index]) << (8 * index) }
            mask = (1 << (8 * length)) - 1
            numberRules = 0
        }

        static let byFirstByte: [LiteralPattern] = (0...255).map { byte in
            switch UInt8(byte) {
            case UInt8(ascii: "t"): LiteralPattern("true")
            case UInt8(ascii: "f"): LiteralPattern("false")
            case UInt8(ascii: "n"): LiteralPattern("null")
            default: LiteralPattern()
            }
        }
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
