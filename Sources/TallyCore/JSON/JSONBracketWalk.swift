/// The one sequential part of the validator's grammar: brackets, in order, block by block. It checks that each
/// closing bracket matches the open one and marks where the container changes (object, array, or the document's top
/// level), as toggle bits that `JSONGrammarCheck` turns into masks with a prefix XOR.
///
/// Brackets are a fraction of the tokens (about one in six in the brief's frames), and no branch depends on the data
/// but a loop's end. The open containers are a stack of bits in one word, so a bracket costs a shift and a select,
/// no shift by a variable amount (three micro-operations on x86-64 without BMI2).
struct JSONBracketWalk {
    /// Documents nested deeper are left to the slow path (which enforces `JSONReader.maximumDepth`).
    static let maximumDepth = JSONReader.maximumDepth - 1

    /// The open containers, innermost at bit 0 (0 for an object, 1 for an array), above a 1 for the top level: the
    /// depth is the position of the highest set bit, and a document nested `maximumDepth` deep sets bit 63.
    private var stack: UInt64 = 1
    private var failed: UInt64 = 0

    /// True when every bracket so far matched and nesting stayed within `maximumDepth`, and all are closed.
    var holds: Bool { failed == 0 && stack == 1 }

    /// Walks the brackets of one block (`opens | closes`, with `curly` telling `{}` from `[]`); returns the bits
    /// where the container after a position differs from the one before it, for objects and for the top level.
    @inline(__always)
    mutating func walk(opens: UInt64, closes: UInt64, curly: UInt64) -> (objectToggles: UInt64, topToggles: UInt64) {
        var brackets = opens | closes
        var toggles: (objectToggles: UInt64, topToggles: UInt64) = (0, 0)
        // How many brackets a block holds is random (none in 30% of the brief's blocks, one in 23%, two in 22%, more
        // in 25%), so a loop alone would mispredict its end about once per block: two steps run in every block,
        // changing nothing when there is no bracket left, and the loop takes the rest (2,160 against 2,300 ns per
        // brief frame; three or four fixed steps cost more than they save).
        step(&brackets, opens, curly, &toggles)
        step(&brackets, opens, curly, &toggles)
        while brackets != 0 {
            step(&brackets, opens, curly, &toggles)
        }
        return toggles
    }

    /// Takes the lowest bracket of `brackets`, if any.
    @inline(__always)
    private mutating func step(
        _ brackets: inout UInt64, _ opens: UInt64, _ curly: UInt64,
        _ toggles: inout (objectToggles: UInt64, topToggles: UInt64)
    ) {
        let present: UInt64 = brackets != 0 ? 1 : 0
        let bit = brackets & (0 &- brackets)
        brackets ^= bit
        let opening: UInt64 = opens & bit != 0 ? 1 : 0
        let closing = (opening ^ 1) & present
        let isArray: UInt64 = curly & bit != 0 ? 0 : 1
        let before = stack
        let atTop: UInt64 = before == 1 ? 1 : 0
        // A closing bracket must close the container it is in (bit 0 of the stack is 1 for `[`, 0 for `{`).
        failed |= closing & (atTop | (isArray ^ before & 1))
        // Selects by arithmetic rather than conditionals: whether a bracket opens is random, a branch on it would
        // miss half the time.
        let pushed = before << 1 | isArray
        let popped = before >> 1
        let moved = popped ^ (popped ^ pushed) & (0 &- opening)
        let after = before ^ (before ^ moved) & (0 &- present)
        failed |= after >> 63
        let newAtTop: UInt64 = after == 1 ? 1 : 0
        // In an object exactly when bit 0 is 0: the top level's lone 1 reads as not in an object.
        toggles.objectToggles ^= (0 &- ((before ^ after) & 1)) & bit
        toggles.topToggles ^= (0 &- (newAtTop ^ atTop)) & bit
        stack = after
    }
}
