/// A body that is not well-formed JSON, with the byte offset where reading stopped so clients can find it.
public struct JSONSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Byte offset in the body where reading stopped.
    public var offset: Int
    /// What was expected there.
    public var reason: String

    /// An error at `offset`.
    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "\(reason) at byte \(offset)" }
}
