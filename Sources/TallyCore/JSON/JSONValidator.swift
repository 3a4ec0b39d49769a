import CTallySIMD

/// Checks that bytes hold exactly one JSON value (RFC 8259 grammar; as `JSONReader`, strings' UTF-8 is not checked),
/// at about a gigabyte a second on one core: what makes `tally count --validate` affordable on the brief's frames.
///
/// It only answers yes or no. Callers that need the error's position and reason run `JSONReader`'s validating
/// skip on the rare frame this one rejects: the fast path stays free of error bookkeeping, and the messages stay
/// the ones users already see. Differential tests and the fuzz target hold the two to the same answers.
///
/// One pass over 64-byte blocks, in simdjson's manner: `JSONBlockClassifier` turns a block into bit masks (strings,
/// escapes and their errors, token classes), `JSONBracketWalk` matches its brackets, and `JSONGrammarCheck` checks
/// what follows what on the whole block's masks. Only brackets and numbers and literals (a few dozen per frame) are
/// visited one by one, the numbers at the end.
///
/// The input is read in place; only its last block is copied, padded with spaces. One validator is reused frame after
/// frame: its buffers grow to the longest frame and are never shrunk (about 3.5 bytes per byte of that frame: 3.5 MiB
/// for `tally count`'s 1 MiB frame limit, 7 KB for the brief's frames).
public struct JSONValidator: Sendable {
    /// The input's tail (its last block, and at least its last 32 bytes) followed by spaces, so that every block and
    /// every number's 16-byte look-ahead can be read.
    private var tail = [UInt8](repeating: 0x20, count: Input.tailCapacity)
    /// Per block, the byte classes from a C kernel; the offsets of the numbers and literals.
    private var classes: [tally_byte_classes] = []
    private var scalars: [UInt32] = []

    /// Where the byte classes come from: the fastest kernel this CPU runs. All give the same masks; tests run the
    /// differential checks on each one the CPU has.
    var kernel = ByteClassKernel.fastest

    /// A validator with empty buffers; reuse it across documents so they grow once.
    public init() {}

    /// Inputs longer than this are left to the slow path (offsets are 32-bit).
    public static let maximumLength = 1 << 30

    /// True when `bytes` are one JSON value with optional whitespace around it; false when they are not, or are
    /// longer than `maximumLength`, or nest deeper than `JSONBracketWalk.maximumDepth`.
    public mutating func accepts(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        guard count > 0, count <= Self.maximumLength else { return false }
        let blockCount = (count + 63) / 64
        if classes.count < blockCount {
            classes = [tally_byte_classes](repeating: .init(), count: blockCount)
            // At most one number or literal per two bytes; `collect` writes up to 4 slots ahead.
            scalars = [UInt32](repeating: 0, count: blockCount * 32 + 8)
        }
        let kernel = kernel
        return tail.withUnsafeMutableBytes { tail in
            let input = Input(bytes, count: count, tail: tail)
            return classes.withUnsafeMutableBufferPointer { classes in
                scalars.withUnsafeMutableBufferPointer { scalars in
                    guard let classify = kernel.blocks else {
                        return Self.validate(input, blockCount: blockCount, classes: nil, scalars: scalars)
                    }
                    let fullBlocks = input.count / 64
                    classify(input.bytes, fullBlocks, classes.baseAddress!)
                    if fullBlocks < blockCount {
                        let last = input.block(fullBlocks).assumingMemoryBound(to: UInt8.self)
                        classify(last, 1, classes.baseAddress! + fullBlocks)
                    }
                    return Self.validate(input, blockCount: blockCount, classes: classes, scalars: scalars)
                }
            }
        }
    }

    @inline(__always)
    private static func validate(
        _ input: Input, blockCount: Int, classes: UnsafeMutableBufferPointer<tally_byte_classes>?,
        scalars: UnsafeMutableBufferPointer<UInt32>
    ) -> Bool {
        // One pass: each block is classified, its brackets walked and its grammar checked while its masks are in
        // registers; only the offsets of numbers and literals are kept for the end.
        var classifier = JSONBlockClassifier()
        var brackets = JSONBracketWalk()
        var grammar = JSONGrammarCheck()
        var errors: UInt64 = 0
        var scalarCount = 0
        for block in 0..<blockCount {
            let offset = block &* 64
            let at = input.block(block)
            let masks =
                if let classes {
                    classifier.classify(classes[block], at, escapeClassesKnown: true)
                } else {
                    classifier.classify(JSONBlockClassifier.byteClasses(at), at, escapeClassesKnown: false)
                }
            errors |= masks.errors
            let toggles = brackets.walk(opens: masks.opens, closes: masks.closes, curly: masks.curly)
            grammar.check(masks, objectToggles: toggles.objectToggles, topToggles: toggles.topToggles)
            scalarCount = collect(masks.scalarStarts, at: offset, into: scalars, from: scalarCount)
        }
        guard errors == 0, !classifier.endsInsideString, brackets.holds else { return false }
        guard grammar.errors == 0, !grammar.endsExpectingToken else { return false }
        return scalarsHold(input, UnsafeBufferPointer(rebasing: scalars[..<scalarCount]))
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

extension JSONValidator {
    /// The input, read in place except near its end, where reads go to a padded copy of its tail.
    struct Input {
        let bytes: UnsafePointer<UInt8>
        let count: Int
        private let tail: UnsafeRawPointer
        private let tailStart: Int

        /// The tail's copy: at most 64 bytes of input, one block of spaces to read past them, and a number's
        /// look-ahead.
        static let tailCapacity = 64 + 64 + 32

        init(_ bytes: UnsafeRawBufferPointer, count: Int, tail: UnsafeMutableRawBufferPointer) {
            self.bytes = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            self.count = count
            // From the last block's start or 32 bytes before the end, whichever comes first.
            tailStart = max(0, min((count - 1) / 64 * 64, count - 32))
            let kept = count - tailStart
            tail.baseAddress!.copyMemory(from: bytes.baseAddress! + tailStart, byteCount: kept)
            let padding = tail.baseAddress! + kept
            padding.initializeMemory(as: UInt8.self, repeating: 0x20, count: Self.tailCapacity - kept)
            self.tail = UnsafeRawPointer(tail.baseAddress!)
        }

        /// The 64 bytes of block `index` (the last one padded with spaces).
        @inline(__always)
        func block(_ index: Int) -> UnsafeRawPointer {
            let offset = index &* 64
            return offset &+ 64 <= count ? UnsafeRawPointer(bytes + offset) : tail + (offset &- tailStart)
        }

        /// Where `offset` and at least 32 bytes after it can be read (spaces past the end).
        @inline(__always)
        func readable(_ offset: Int) -> UnsafePointer<UInt8> {
            if offset &+ 32 <= count { return bytes + offset }
            return (tail + (offset &- tailStart)).assumingMemoryBound(to: UInt8.self)
        }
    }
}
