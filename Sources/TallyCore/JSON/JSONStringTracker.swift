/// Which bytes of a stream of 64-byte blocks are escaped and which are inside strings, carried from block to block:
/// the part of stage one that both the validator (`JSONBlockClassifier`) and the root-member search
/// (`RootMemberFinder`) need, written once.
struct JSONStringTracker {
    /// The first byte of the next block is escaped (an odd run of backslashes ended this block).
    private var escapedCarry: UInt64 = 0
    /// All ones when the next block starts inside a string.
    private var inStringCarry: UInt64 = 0

    /// True when the blocks so far ended inside a string.
    var endsInsideString: Bool { inStringCarry != 0 }

    private static let oddBits: UInt64 = 0xAAAA_AAAA_AAAA_AAAA

    /// The block's escaped bytes, its quotes that are not escaped, and the inside of its strings (from an opening
    /// quote up to, not including, its closing quote), from its backslash and quote masks.
    ///
    /// Escaped characters: each byte after a backslash that is not itself escaped (in a run of backslashes every
    /// second one, and the byte after an odd run). simdjson's formulation: subtracting the backslashes from the odd
    /// bits and the bits just after backslashes borrows through each run, and XOR with the odd bits leaves a 1 on
    /// each escaped byte whichever bit the run starts on (checked against a byte-by-byte count on random masks
    /// across blocks). Strings: a prefix XOR over the unescaped quotes.
    @inline(__always)
    mutating func next(backslashes: UInt64, quotes: UInt64) -> (escaped: UInt64, realQuotes: UInt64, inString: UInt64) {
        let escapers = backslashes & ~escapedCarry
        let code = ((escapers << 1 | Self.oddBits) &- escapers) ^ Self.oddBits
        let escaped = code ^ (backslashes | escapedCarry)
        escapedCarry = (code & backslashes) >> 63
        let realQuotes = quotes & ~escaped
        let inString = JSONBlockClassifier.prefixXOR(realQuotes) ^ inStringCarry
        inStringCarry = 0 &- (inString >> 63)
        return (escaped, realQuotes, inString)
    }
}
