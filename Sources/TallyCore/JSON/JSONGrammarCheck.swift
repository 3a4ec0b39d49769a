/// Stage two of the vectorized validator: JSON's grammar checked on a 64-byte block's bit masks at once.
///
/// JSON's grammar is almost entirely about what may follow what: after `{` a member name or `}`, after `:` a value,
/// after a value `,` or a closing bracket, after `,` a member name in an object and a value in an array. So each
/// kind of token yields the mask of its followers (the position after the token, moved past whitespace by an
/// addition that carries through each run of spaces), and each mask must fall inside the set that kind allows.
/// Member names are the strings that follow `{` or an object's `,`; the position after each is found by adding the
/// name's first bit to the string's bits, which carries just past its closing quote. What depends on nesting (which
/// container a comma is in, one value at the top level) comes from `JSONBracketWalk`'s toggles.
///
/// Everything that crosses a block boundary is carried as one bit per kind.
struct JSONGrammarCheck {
    /// Followers still to be found at the start of the next block, per kind of token before them. The document
    /// starts as after a colon: a value must come first.
    private var afterObjectOpen: UInt64 = 0, afterArrayOpen: UInt64 = 0, afterColon: UInt64 = 1
    private var afterObjectComma: UInt64 = 0, afterArrayComma: UInt64 = 0
    private var afterName: UInt64 = 0, afterValue: UInt64 = 0
    /// An addition that ran past the block: a member name still open.
    private var nameCarry: UInt64 = 0
    /// The previous block's last byte: a closing quote; part of a number or literal.
    private var quoteCloseCarry: UInt64 = 0, scalarCarry: UInt64 = 0
    /// All ones when the container after the previous block's last byte is an object; is the top level.
    private var objectState: UInt64 = 0, topState: UInt64 = ~0

    /// Non-zero once a token is where the grammar does not allow it.
    private(set) var errors: UInt64 = 0

    /// True when the input ended where a token must follow (after `{`, `[`, `:`, `,` or a member name).
    var endsExpectingToken: Bool {
        afterObjectOpen | afterArrayOpen | afterColon | afterObjectComma | afterArrayComma | afterName | nameCarry != 0
    }

    @inline(__always)
    mutating func check(_ block: JSONBlockClassifier.Block, objectToggles: UInt64, topToggles: UInt64) {
        let inObject = JSONBlockClassifier.prefixXOR(objectToggles) ^ objectState
        objectState = 0 &- (inObject >> 63)
        // One value at the top level: the rules below let only a comma follow a value there (anything else after a
        // value is an error, and a closing bracket at the top level fails the bracket walk), so a document holds one
        // value exactly when no comma is at the top level. Blocks nested throughout, most of them, skip this.
        if topToggles | topState != 0 {
            let top = JSONBlockClassifier.prefixXOR(topToggles) ^ topState
            topState = 0 &- (top >> 63)
            errors |= block.commas & top
        }

        let values = block.opens | block.quoteOpens | block.scalarStarts
        let spaces = block.spaces
        @inline(__always) func followers(of tokens: UInt64, _ pending: inout UInt64) -> UInt64 {
            let found = Self.followers(after: tokens << 1 | pending, spaces: spaces, pending: &pending)
            pending |= tokens >> 63
            return found
        }

        let objectOpens = block.opens & block.curly
        let arrayOpens = block.opens & ~block.curly
        let afterObjectOpens = followers(of: objectOpens, &afterObjectOpen)
        errors |= afterObjectOpens & ~(block.quoteOpens | block.closes & block.curly)
        errors |= followers(of: arrayOpens, &afterArrayOpen) & ~(values | block.closes & ~block.curly)
        errors |= followers(of: block.colons, &afterColon) & ~values
        let afterObjectCommas = followers(of: block.commas & inObject, &afterObjectComma)
        errors |= afterObjectCommas & ~block.quoteOpens
        errors |= followers(of: block.commas & ~inObject, &afterArrayComma) & ~values

        // Strings directly after strings would merge into one run of string bits.
        let afterQuoteCloses = block.quoteCloses << 1 | quoteCloseCarry
        errors |= afterQuoteCloses & block.quoteOpens
        quoteCloseCarry = block.quoteCloses >> 63

        // Member names are followed by a colon, and every colon follows a member name.
        let names = (afterObjectOpens | afterObjectCommas) & block.quoteOpens
        let (namesEnded, nameRunsOn) = block.strings.addingReportingOverflow(names | nameCarry)
        nameCarry = nameRunsOn ? 1 : 0
        let afterNames = namesEnded & ~block.strings
        errors |= Self.followers(after: afterNames, spaces: spaces, pending: &afterName) ^ block.colons

        // Values (strings that are not names, numbers, literals, closed containers) are followed by `,` or a close.
        let afterStrings = afterQuoteCloses & ~afterNames
        let afterScalars = ~block.scalars & (block.scalars << 1 | scalarCarry)
        scalarCarry = block.scalars >> 63
        let valueEnds = afterStrings | afterScalars | block.closes << 1
        errors |=
            Self.followers(after: valueEnds, spaces: spaces, pending: &afterValue)
            & ~(block.commas | block.closes)
        afterValue |= block.closes >> 63
    }

    /// The first non-space position at or after each bit of `after`; `pending` comes in as the bit to add at
    /// position 0 and goes out as 1 when a run of spaces reaches the end of the block.
    @inline(__always)
    private static func followers(after: UInt64, spaces: UInt64, pending: inout UInt64) -> UInt64 {
        let start = after | pending
        // Frames are mostly written without spaces between tokens.
        if spaces == 0 {
            pending = 0
            return start
        }
        let (moved, runsOn) = spaces.addingReportingOverflow(start & spaces)
        pending = runsOn ? 1 : 0
        return (start | moved) & ~spaces
    }

}
