/// The one sequential part of the validator's grammar: brackets, in order, block by block. It checks that each
/// closing bracket matches the open one and marks where the container changes (object, array, or the document's top
/// level), as toggle bits that `JSONGrammarCheck` turns into masks with a prefix XOR.
///
/// Brackets are a fraction of the tokens (about one in six in the brief's frames), and the loop has no branch that
/// depends on the data besides its own end.
struct JSONBracketWalk {
    /// Documents nested deeper are left to the slow path (which enforces `JSONReader.maximumDepth`).
    static let maximumDepth = JSONReader.maximumDepth - 1

    private var depth = 0
    /// Bit d - 1: the container at depth d is an object.
    private var objects: UInt64 = 0
    private var inObject: UInt64 = 0, atTop: UInt64 = 1
    private var failed: UInt64 = 0

    /// True when every bracket so far matched and nesting stayed within `maximumDepth`, and all are closed.
    var holds: Bool { failed == 0 && depth == 0 }

    /// Walks the brackets of one block (`opens | closes`, with `curly` telling `{}` from `[]`); returns the bits
    /// where the container after a position differs from the one before it, for objects and for the top level.
    @inline(__always)
    mutating func walk(opens: UInt64, closes: UInt64, curly: UInt64) -> (objectToggles: UInt64, topToggles: UInt64) {
        var brackets = opens | closes
        var objectToggles: UInt64 = 0, topToggles: UInt64 = 0
        while brackets != 0 {
            let position = UInt64(truncatingIfNeeded: brackets.trailingZeroBitCount)
            let bit = brackets & (0 &- brackets)
            brackets &= brackets &- 1
            let opening = opens >> position & 1
            let isCurly = curly >> position & 1
            // A closing bracket must close the container it is in.
            failed |= (opening ^ 1) & (atTop | isCurly ^ inObject)
            // Arithmetic rather than conditionals: whether a bracket opens is random, a branch on it would miss half
            // the time.
            let newDepth = depth &+ Int(truncatingIfNeeded: opening << 1) &- 1
            let level = UInt64(truncatingIfNeeded: newDepth &- 1) & 63
            objects = objects & ~(opening << level) | (opening & isCurly) << level
            let nested = UInt64(truncatingIfNeeded: -newDepth) >> 63 // 1 when newDepth > 0
            let newInObject = opening & isCurly | (opening ^ 1) & nested & objects >> level
            let newAtTop = nested ^ 1
            objectToggles ^= (newInObject ^ inObject) &* bit
            topToggles ^= (newAtTop ^ atTop) &* bit
            (depth, inObject, atTop) = (newDepth, newInObject, newAtTop)
            failed |= UInt64(truncatingIfNeeded: Self.maximumDepth &- 1 &- depth) >> 63 // 1 when depth >= maximumDepth
        }
        return (objectToggles, topToggles)
    }
}
