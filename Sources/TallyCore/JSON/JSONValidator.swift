/// Checks that bytes hold exactly one JSON value (RFC 8259 grammar; as `JSONReader`, strings' UTF-8 is not checked),
/// at several hundred megabytes a second: what makes `tally count --validate` affordable on the brief's frames.
///
/// It only answers yes or no. Callers that need the error's position and reason run `JSONReader`'s validating
/// skip on the rare frame this one rejects: the fast path stays free of error bookkeeping, and the messages stay
/// the ones users already see. Differential tests and the fuzz target hold the two to the same answers.
///
/// Two stages, as in simdjson: `JSONBlockClassifier` turns each 64-byte block into bit masks (strings, escapes and
/// their errors, token classes); `JSONBracketWalk` matches the brackets, and `JSONGrammarCheck` checks what follows
/// what on whole blocks of masks. Only brackets and numbers and literals (a few dozen per frame) are visited one by
/// one.
///
/// One validator is reused frame after frame: its buffers grow to the longest frame and are never shrunk (about 9
/// bytes per byte of that frame: 9 MiB for `tally count`'s 1 MiB frame limit, 20 KB for the brief's frames).
public struct JSONValidator: Sendable {
    /// The input, copied and padded with spaces to whole blocks plus one (reads past the end stay in bounds).
    private var padded: [UInt8] = []
    /// Per block: the classifier's masks, and the bracket walk's toggles.
    private var blocks: [JSONBlockClassifier.Block] = []
    private var objectToggles: [UInt64] = []
    private var topToggles: [UInt64] = []
    /// Offsets of the brackets, and of the numbers and literals.
    private var brackets: [UInt32] = []
    private var scalars: [UInt32] = []

    public init() {}

    /// Inputs longer than this are left to the slow path (offsets are 32-bit).
    public static let maximumLength = 1 << 30

    /// True when `bytes` are one JSON value with optional whitespace around it; false when they are not, or are
    /// longer than `maximumLength`, or nest deeper than `JSONBracketWalk.maximumDepth`.
    public mutating func accepts(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        guard count > 0, count <= Self.maximumLength else { return false }
        let blockCount = (count + 63) / 64
        let paddedCount = blockCount * 64 + 64
        if padded.count < paddedCount {
            padded = [UInt8](repeating: 0x20, count: paddedCount)
            blocks = [JSONBlockClassifier.Block](repeating: .init(), count: blockCount)
            objectToggles = [UInt64](repeating: 0, count: blockCount)
            topToggles = [UInt64](repeating: 0, count: blockCount)
            // At most one bracket per byte, one number or literal per two; `collect` writes up to 4 slots ahead.
            brackets = [UInt32](repeating: 0, count: blockCount * 64 + 8)
            scalars = [UInt32](repeating: 0, count: blockCount * 32 + 8)
        }
        return padded.withUnsafeMutableBytes { buffer in
            buffer.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: count)
            // Spaces after the input, far enough for a block and a literal's look-ahead.
            let padding = buffer.baseAddress! + count
            padding.initializeMemory(as: UInt8.self, repeating: 0x20, count: paddedCount - count)
            return Self.validate(
                UnsafeRawBufferPointer(buffer), count: count, blockCount: blockCount, blocks: &blocks,
                objectToggles: &objectToggles, topToggles: &topToggles, brackets: &brackets, scalars: &scalars
            )
        }
    }

    @inline(__always)
    private static func validate(
        _ buffer: UnsafeRawBufferPointer, count: Int, blockCount: Int, blocks: inout [JSONBlockClassifier.Block],
        objectToggles: inout [UInt64], topToggles: inout [UInt64], brackets: inout [UInt32], scalars: inout [UInt32]
    ) -> Bool {
        let base = buffer.baseAddress!
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        var classifier = JSONBlockClassifier()
        var errors: UInt64 = 0
        var bracketCount = 0
        var scalarCount = 0
        blocks.withUnsafeMutableBufferPointer { blocks in
            brackets.withUnsafeMutableBufferPointer { brackets in
                scalars.withUnsafeMutableBufferPointer { scalars in
                    for block in 0..<blockCount {
                        let offset = block &* 64
                        let masks = classifier.classify(base + offset)
                        blocks[block] = masks
                        errors |= masks.errors
                        let bracketMask = masks.opens | masks.closes
                        bracketCount = collect(bracketMask, at: offset, into: brackets, from: bracketCount)
                        scalarCount = collect(masks.scalarStarts, at: offset, into: scalars, from: scalarCount)
                    }
                }
            }
        }
        guard errors == 0, !classifier.endsInsideString else { return false }
        objectToggles.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        topToggles.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        let bracketsMatch = brackets.withUnsafeBufferPointer { brackets in
            objectToggles.withUnsafeMutableBufferPointer { objectToggles in
                topToggles.withUnsafeMutableBufferPointer { topToggles in
                    JSONBracketWalk.walk(
                        bytes, UnsafeBufferPointer(rebasing: brackets[..<bracketCount]),
                        objectToggles: objectToggles.baseAddress!, topToggles: topToggles.baseAddress!
                    )
                }
            }
        }
        guard bracketsMatch else { return false }
        var grammar = JSONGrammarCheck()
        blocks.withUnsafeBufferPointer { blocks in
            objectToggles.withUnsafeBufferPointer { objectToggles in
                topToggles.withUnsafeBufferPointer { topToggles in
                    for block in 0..<blockCount {
                        let toggles = (objectToggles[block], topToggles[block])
                        grammar.check(blocks[block], objectToggles: toggles.0, topToggles: toggles.1)
                    }
                }
            }
        }
        guard grammar.errors == 0, !grammar.endsExpectingToken, grammar.topLevelTokens == 1 else { return false }
        return scalars.withUnsafeBufferPointer { scalars in
            scalarsHold(bytes, count, UnsafeBufferPointer(rebasing: scalars[..<scalarCount]))
        }
    }

    /// Appends the offsets of the set bits of `mask`. The first four are written without looking at how many there
    /// are (extra slots get junk past the count), so the common block costs no unpredictable branch.
    @inline(__always)
    private static func collect(
        _ mask: UInt64, at offset: Int, into out: UnsafeMutableBufferPointer<UInt32>, from start: Int
    ) -> Int {
        var mask = mask
        let found = mask.nonzeroBitCount
        let base = UInt32(truncatingIfNeeded: offset)
        for k in 0..<4 {
            out[start &+ k] = base &+ UInt32(truncatingIfNeeded: mask.trailingZeroBitCount)
            mask &= mask &- 1
        }
        if found > 4 {
            for k in 4..<found {
                out[start &+ k] = base &+ UInt32(truncatingIfNeeded: mask.trailingZeroBitCount)
                mask &= mask &- 1
            }
        }
        return start &+ found
    }
}
