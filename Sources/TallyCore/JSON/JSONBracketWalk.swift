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
        var failed = false
        for offset in offsets {
            let position = Int(offset)
            let byte = bytes[position]
            let opens = UInt64(byte >> 1 & 1) // `{` `[` have bit 0x02, `}` `]` do not
            let curly = UInt64(byte >> 5 & 1) // `{` `}` have bit 0x20, `[` `]` do not
            // A closing bracket must close the container it is in.
            failed = failed || (opens == 0 && (atTop == 1 || curly != inObject))
            let newDepth = opens == 1 ? depth &+ 1 : depth &- 1
            let level = UInt64(truncatingIfNeeded: newDepth &- 1) & 63
            if opens == 1 { objects = objects & ~(1 << level) | curly << level }
            let newInObject = opens == 1 ? curly : (newDepth > 0 ? objects >> level & 1 : 0)
            let newAtTop: UInt64 = newDepth == 0 ? 1 : 0
            let bit = UInt64(1) << UInt64(position & 63)
            objectToggles[position >> 6] ^= (newInObject ^ inObject) &* bit
            topToggles[position >> 6] ^= (newAtTop ^ atTop) &* bit
            (depth, inObject, atTop) = (newDepth, newInObject, newAtTop)
            failed = failed || depth >= maximumDepth
        }
        return !failed && depth == 0
    }
}
