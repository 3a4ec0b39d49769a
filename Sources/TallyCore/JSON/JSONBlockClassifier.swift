import CTallySIMD

/// Stage one of the vectorized validator: classifies 64 bytes at a time into bit masks (bit k = byte k of the block)
/// and carries the string state from block to block, so that no byte is looked at one by one.
///
/// What it finds per block: escaped characters (after an odd run of backslashes), the inside of strings (a prefix
/// XOR over the unescaped quotes), the classes of bytes the grammar check needs (each structural character outside
/// strings, quotes, bytes of numbers and literals, whitespace) and the errors that need no grammar: control
/// characters in strings, invalid escapes, `\u` without four hex digits. The approach is simdjson's (Langdale &
/// Lemire, "Parsing Gigabytes of JSON per Second", 2019), written with Swift's SIMD types; each comparison is one
/// SSE2 instruction, and `CTallySIMD` gathers its result into a mask.
struct JSONBlockClassifier {
    /// Escapes and strings, carried across blocks.
    private var strings = JSONStringTracker()
    /// The last byte of the previous block belonged to a number or literal.
    private var scalarCarry: UInt64 = 0
    /// Bytes of the next block that must be hex digits (a `\u` near the end of this block).
    private var hexCarry: UInt64 = 0

    /// What one block holds, outside strings unless said otherwise.
    struct Block {
        /// `{` and `[`; `}` and `]`; among those, the curly ones.
        var opens: UInt64, closes: UInt64, curly: UInt64
        var colons: UInt64, commas: UInt64
        /// Opening and closing quotes, and every byte of every string from its opening to its closing quote.
        var quoteOpens: UInt64, quoteCloses: UInt64, strings: UInt64
        /// Bytes of numbers and literals (anything else outside strings), and the first byte of each.
        var scalars: UInt64, scalarStarts: UInt64
        /// Whitespace.
        var spaces: UInt64
        /// Non-zero when the block has an error found without the grammar.
        var errors: UInt64
    }

    /// True when the input ended inside a string (an unterminated string, or a `\u` cut short).
    var endsInsideString: Bool { strings.endsInsideString || hexCarry != 0 }

    /// The byte classes of the 64 bytes at `block`, compared in Swift (SSE2 on x86-64): all but the escape
    /// classes, which `classify` asks for only in blocks with escapes.
    @inline(__always)
    static func byteClasses(_ block: UnsafeRawPointer) -> tally_byte_classes {
        // One 16-byte vector at a time, every comparison of it, so that few vectors are live at once.
        var classes = tally_byte_classes()
        for lane in 0..<4 {
            let v = block.loadUnaligned(fromByteOffset: lane &* 16, as: SIMD16<UInt8>.self)
            let shift = UInt64(lane &* 16)
            classes.backslashes |= bits(v .== splat(0x5C)) << shift
            classes.quotes |= bits(v .== splat(0x22)) << shift
            classes.controls |= bits(v .< splat(0x20)) << shift
            classes.spaces |= bits(v .<= splat(0x20)) << shift
            // `[` and `]` are `{` and `}` without bit 0x20.
            let folded = v | splat(0x20)
            classes.opens |= bits(folded .== splat(0x7B)) << shift
            classes.closes |= bits(folded .== splat(0x7D)) << shift
            classes.curly |= bits(v & splat(0x20) .== splat(0x20)) << shift
            classes.colons |= bits(v .== splat(0x3A)) << shift
            classes.commas |= bits(v .== splat(0x2C)) << shift
        }
        return classes
    }

    /// Classifies one block from its byte classes. `escapeClassesKnown`: whether `classes` has the escape classes
    /// (the AVX2 kernel computes them for every block); if not, they are computed from `block` when needed.
    @inline(__always)
    mutating func classify(
        _ classes: tally_byte_classes, _ block: UnsafeRawPointer, escapeClassesKnown: Bool
    ) -> Block {
        let backslashes = classes.backslashes
        let quotes = classes.quotes
        let controls = classes.controls
        // Whitespace is taken as every byte up to 0x20; control bytes other than tab, newline and carriage return
        // are errors outside strings too, checked exactly in the rare block that has any there.
        let spaces = classes.spaces
        let opens = classes.opens
        let closes = classes.closes
        let curly = classes.curly
        let colons = classes.colons
        let commas = classes.commas

        let (escaped, realQuotes, inString) = strings.next(backslashes: backslashes, quotes: quotes)

        var errors = controls & inString
        if controls & ~inString != 0 {
            errors |= controls & ~inString & ~Self.tabsAndLineBreaks(block)
        }
        if escapeClassesKnown {
            // No branch: whether a block has an escape is close to random in real frames.
            errors |= escapeErrors(escaped, quotes | backslashes | classes.escapable, classes.unicode, classes.hex)
        } else if escaped | hexCarry != 0 {
            let (escapable, unicode, hex) = Self.escapeClasses(block)
            errors |= escapeErrors(escaped, quotes | backslashes | escapable, unicode, hex)
        }

        // Numbers and literals: runs of bytes that are neither whitespace, operators nor part of a string.
        let strings = inString | realQuotes
        let outside = ~strings
        let scalars = ~(spaces | opens | closes | colons | commas | strings)
        let scalarStarts = scalars & ~(scalars << 1 | scalarCarry)
        scalarCarry = scalars >> 63
        return Block(
            opens: opens & outside, closes: closes & outside, curly: curly, colons: colons & outside,
            commas: commas & outside, quoteOpens: realQuotes & inString, quoteCloses: realQuotes & ~inString,
            strings: strings, scalars: scalars, scalarStarts: scalarStarts, spaces: spaces & outside, errors: errors
        )
    }

    /// Escaped bytes that are not one of `" \ / b f n r t u`, and `\u` not followed by four hex digits (which may
    /// run into the next block).
    @inline(__always)
    private mutating func escapeErrors(_ escaped: UInt64, _ valid: UInt64, _ unicode: UInt64, _ hex: UInt64) -> UInt64 {
        let unicode = unicode & escaped
        let needsHex = unicode << 1 | unicode << 2 | unicode << 3 | unicode << 4 | hexCarry
        hexCarry = unicode >> 63 | unicode >> 62 | unicode >> 61 | unicode >> 60
        return escaped & ~valid | needsHex & ~hex
    }

    /// `/ b f n r t u` (with `"` and `\`, the bytes that may follow a backslash), `u`, and hex digits.
    @inline(__always)
    static func escapeClasses(_ block: UnsafeRawPointer) -> (escapable: UInt64, unicode: UInt64, hex: UInt64) {
        var escapable: UInt64 = 0
        var unicode: UInt64 = 0
        var hex: UInt64 = 0
        for lane in 0..<4 {
            let v = block.loadUnaligned(fromByteOffset: lane &* 16, as: SIMD16<UInt8>.self)
            let shift = UInt64(lane &* 16)
            let u = v .== splat(0x75)
            escapable |=
                bits(
                    u .| (v .== splat(0x2F)) .| (v .== splat(0x62)) .| (v .== splat(0x66))
                        .| (v .== splat(0x6E)) .| (v .== splat(0x72)) .| (v .== splat(0x74))
                ) << shift
            unicode |= bits(u) << shift
            let digit = v &- splat(0x30) .< splat(10)
            let letter = (v | splat(0x20)) &- splat(0x61) .< splat(6)
            hex |= bits(digit .| letter) << shift
        }
        return (escapable, unicode, hex)
    }

    /// Tabs, newlines and carriage returns: the control bytes allowed outside strings.
    private static func tabsAndLineBreaks(_ block: UnsafeRawPointer) -> UInt64 {
        var found: UInt64 = 0
        for lane in 0..<4 {
            let v = block.loadUnaligned(fromByteOffset: lane &* 16, as: SIMD16<UInt8>.self)
            found |= bits((v .== splat(0x09)) .| (v .== splat(0x0A)) .| (v .== splat(0x0D))) << UInt64(lane &* 16)
        }
        return found
    }

    /// A vector of one byte. Comparing with a scalar operand (`v .== 0x22`) takes a generic per-lane path in
    /// Swift 6.3; comparing with a splat compiles to one vector instruction.
    @inline(__always)
    static func splat(_ byte: UInt8) -> SIMD16<UInt8> { SIMD16(repeating: byte) }

    /// The lanes of a comparison, one bit each.
    @inline(__always)
    static func bits(_ lanes: SIMDMask<SIMD16<Int8>>) -> UInt64 {
        UInt64(tally_movemask_u8x16(unsafeBitCast(lanes, to: SIMD16<UInt8>.self)))
    }

    /// Bit k of the result is the XOR of bits 0...k of `x` (six shifts instead of a carry-less multiply).
    @inline(__always)
    static func prefixXOR(_ x: UInt64) -> UInt64 {
        var x = x
        x ^= x << 1
        x ^= x << 2
        x ^= x << 4
        x ^= x << 8
        x ^= x << 16
        x ^= x << 32
        return x
    }
}
