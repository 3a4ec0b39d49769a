import CTallySIMD

/// Finds the members of a frame's root object by the frame's structure alone, 64 bytes at a time, so that nested
/// values before the wanted fields are passed over without looking at their bytes one by one.
///
/// In the brief's frames the members before `uid` and `ts` are often nested objects and arrays (the fields are read
/// after 19% of a frame's bytes on average), and a byte loop through them mispredicts
/// a branch on almost every token. Here each block becomes bit masks (quotes, backslashes, brackets, colons), the
/// inside of strings comes from a prefix XOR over the unescaped quotes (simdjson's method), and only brackets are
/// visited one by one, to know which colons sit at depth 1: each such colon ends a root member's key.
///
/// It checks structure, not grammar: a frame whose brackets and strings are well formed is read up to the wanted
/// fields even if a value before them is not valid JSON (`tally count --validate` checks every byte). Anything it
/// cannot read (a frame that does not start with `{`, a key with escapes, the root object closing, the line ending)
/// makes it return false, and the caller reads the frame the slow way, which names the error.
struct RootMemberFinder {
    /// A root member: the key's bytes (between its quotes, without escapes) and the offset of its colon.
    struct Member {
        var key: UnsafeRawBufferPointer
        var colon: Int
    }

    /// Calls `visit` with each root member in order until it returns true (found what it needs); returns true then,
    /// false when the frame was not read to that point.
    @inline(__always)
    static func visit(_ line: UnsafeRawBufferPointer, kernel: Kernel? = kernel, _ visit: (Member) -> Bool) -> Bool {
        guard let base = line.baseAddress, line.count > 1, line[0] == 0x7B else { return false }
        var strings = JSONStringTracker()
        var depth = 0
        /// Offsets of the latest opening and closing quotes before the current block (-1: none yet).
        var lastOpenQuote = -1
        var lastCloseQuote = -1
        var blockStart = 0
        var tail = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        while blockStart < line.count {
            let masks: Masks
            if blockStart + 64 <= line.count {
                masks = Masks(base + blockStart, kernel)
            } else {
                // The last, partial block: zero bytes after the line are none of the classes.
                masks = withUnsafeMutableBytes(of: &tail) { padded in
                    padded.initializeMemory(as: UInt8.self, repeating: 0)
                    padded.copyMemory(from: UnsafeRawBufferPointer(rebasing: line[blockStart...]))
                    return Masks(padded.baseAddress!, kernel)
                }
            }
            let (_, realQuotes, inString) = strings.next(backslashes: masks.backslashes, quotes: masks.quotes)
            let outside = ~(inString | realQuotes)
            let opens = masks.opens & outside
            let closes = masks.closes & outside
            let colons = masks.colons & outside
            let quoteOpens = realQuotes & inString
            let quoteCloses = realQuotes & ~inString

            // The colons at depth 1, and where the root object ends if it ends in this block.
            var rootColons: UInt64 = 0
            var rootEnd = 64
            var brackets = opens | closes
            if brackets == 0 {
                if depth == 1 { rootColons = colons }
            } else if depth - closes.nonzeroBitCount >= 2 {
                // Too deep to come back to the root in this block: only the depth changes.
                depth += opens.nonzeroBitCount - closes.nonzeroBitCount
            } else {
                var segment: UInt64 = ~0
                while brackets != 0 {
                    let index = brackets.trailingZeroBitCount
                    let before = segment & ((1 << UInt64(index)) &- 1)
                    // Selects by arithmetic: whether a bracket opens, and the depth at a colon, follow the data, and
                    // a branch on them would miss often.
                    let atRoot: UInt64 = depth == 1 ? ~0 : 0
                    rootColons |= colons & before & atRoot
                    depth += 2 &* Int(truncatingIfNeeded: opens >> UInt64(index) & 1) &- 1
                    if depth <= 0 {
                        rootEnd = index
                        break
                    }
                    segment = index == 63 ? 0 : ~((2 << UInt64(index)) &- 1)
                    brackets &= brackets &- 1
                }
                if rootEnd == 64, depth == 1 { rootColons |= colons & segment }
            }

            while rootColons != 0 {
                let index = rootColons.trailingZeroBitCount
                rootColons &= rootColons &- 1
                let below: UInt64 = (1 << UInt64(index)) &- 1
                let open = quoteOpens & below
                let close = quoteCloses & below
                let keyOpen = open != 0 ? blockStart + 63 - open.leadingZeroBitCount : lastOpenQuote
                let keyClose = close != 0 ? blockStart + 63 - close.leadingZeroBitCount : lastCloseQuote
                guard keyOpen >= 0, keyClose > keyOpen else { return false }
                // Only whitespace may stand between a key and its colon; anything else is the slow path's to name.
                for offset in (keyClose + 1)..<(blockStart + index) where !isWhitespace(line[offset]) { return false }
                let key = UnsafeRawBufferPointer(rebasing: line[(keyOpen + 1)..<keyClose])
                // An escaped key is compared decoded, by the slow path.
                if key.contains(0x5C) { return false }
                if visit(Member(key: key, colon: blockStart + index)) { return true }
            }
            if rootEnd < 64 { return false }
            if quoteOpens != 0 { lastOpenQuote = blockStart + 63 - quoteOpens.leadingZeroBitCount }
            if quoteCloses != 0 { lastCloseQuote = blockStart + 63 - quoteCloses.leadingZeroBitCount }
            blockStart += 64
        }
        return false
    }

    @inline(__always)
    private static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    /// A C function that classifies one block (`ByteClassKernel.structural`).
    typealias Kernel = @convention(c) (UnsafePointer<UInt8>?, UnsafeMutablePointer<tally_structural_classes>?) -> Void

    /// The C kernel for the CPU (`ByteClassKernel.fastest`), or nil for Swift's SSE2 code.
    static let kernel = ByteClassKernel.fastest.structural

    /// The byte classes one block needs: quotes and backslashes (for strings), brackets and colons.
    struct Masks {
        var quotes: UInt64 = 0, backslashes: UInt64 = 0, opens: UInt64 = 0, closes: UInt64 = 0, colons: UInt64 = 0

        @inline(__always)
        init(_ block: UnsafeRawPointer, _ kernel: Kernel?) {
            if let kernel {
                var classes = tally_structural_classes()
                kernel(block.assumingMemoryBound(to: UInt8.self), &classes)
                (quotes, backslashes, opens, closes, colons) =
                    (classes.quotes, classes.backslashes, classes.opens, classes.closes, classes.colons)
                return
            }
            for lane in 0..<4 {
                let v = block.loadUnaligned(fromByteOffset: lane &* 16, as: SIMD16<UInt8>.self)
                let shift = UInt64(lane &* 16)
                quotes |= JSONBlockClassifier.bits(v .== JSONBlockClassifier.splat(0x22)) << shift
                backslashes |= JSONBlockClassifier.bits(v .== JSONBlockClassifier.splat(0x5C)) << shift
                // `[` and `]` are `{` and `}` without bit 0x20.
                let folded = v | JSONBlockClassifier.splat(0x20)
                opens |= JSONBlockClassifier.bits(folded .== JSONBlockClassifier.splat(0x7B)) << shift
                closes |= JSONBlockClassifier.bits(folded .== JSONBlockClassifier.splat(0x7D)) << shift
                colons |= JSONBlockClassifier.bits(v .== JSONBlockClassifier.splat(0x3A)) << shift
            }
        }
    }
}
