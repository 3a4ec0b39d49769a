extension Duration {
    /// Whole milliseconds (truncated): event times are integer milliseconds throughout Tally.
    public var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
