/// The one sequential part of the validator's grammar: brackets, in order. It checks that each closing bracket
/// matches the open one and marks where the container changes (object, array, or the document's top level), as
/// toggle bits per 64-byte block that `JSONGrammarCheck` turns into masks with a prefix XOR.
///
/// Brackets are a fraction of the tokens (about one in six in the brief's frames), and the loop has no branch that
/// depends on the data.
struct JSONBracketWalk {
    /// Documents nested deeper are left to the slow path (which enforces `JSONReader.maximumDepth`).
    static let maximumDepth = JSONReader.maximumDepth - 1

    /// Walks the brackets at `offsets` of `bytes`; sets, per block, the bits where the container after a position
    /// differs from the one before it. False when brackets do not match or nest too deep.
    @inline(__always)
    static func walk(
        _ bytes: UnsafePointer<UInt8>, _ offsets: UnsafeBufferPointer<UInt32>,
        objectToggles: UnsafeMutablePointer<UInt64>, topToggles: UnsafeMutablePointer<UInt64>
    ) -> Bool {
        var depth = 0
        /// Bit d - 1: the container at depth d is an object.
        var objects: UInt64 = 0
        var inObject: UInt64 = 0, atTop: UInt64 = 1
        var failed: UInt64 = 0
        // The toggles of the block being walked, kept in registers and stored after every bracket: the last store to
        // a block holds all of its toggles, and no load waits for the previous store.
        var block = -1
        var objectBits: UInt64 = 0, topBits: UInt64 = 0
        for offset in offsets {
            let position = Int(offset)
            let byte = bytes[position]
            let opens = UInt64(byte >> 1 & 1) // `{` `[` have bit 0x02, `}` `]` do not
            let curly = UInt64(byte >> 5 & 1) // `{` `}` have bit 0x20, `[` `]` do not
            // A closing bracket must close the container it is in.
            failed |= (opens ^ 1) & (atTop | curly ^ inObject)
            // Arithmetic rather than conditionals: whether a bracket opens is random, a branch on it would miss half
            // the time.
            let newDepth = depth &+ Int(truncatingIfNeeded: opens << 1) &- 1
            let level = UInt64(truncatingIfNeeded: newDepth &- 1) & 63
            objects = objects & ~(opens << level) | (opens & curly) << level
            let nested = UInt64(truncatingIfNeeded: -newDepth) >> 63 // 1 when newDepth > 0
            let newInObject = opens & curly | (opens ^ 1) & nested & objects >> level
            let newAtTop = nested ^ 1
            let bit = UInt64(1) << UInt64(position & 63)
            let sameBlock: UInt64 = position >> 6 == block ? ~0 : 0
            block = position >> 6
            objectBits = objectBits & sameBlock ^ (newInObject ^ inObject) &* bit
            topBits = topBits & sameBlock ^ (newAtTop ^ atTop) &* bit
            objectToggles[block] = objectBits
            topToggles[block] = topBits
            (depth, inObject, atTop) = (newDepth, newInObject, newAtTop)
            failed |= UInt64(truncatingIfNeeded: maximumDepth &- 1 &- depth) >> 63 // 1 when depth >= maximumDepth
        }
        return failed == 0 && depth == 0
    }
}
