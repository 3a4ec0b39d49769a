/// Field errors of one item, as an `Error` so they fit in a `Result`.
public struct FieldErrors: Error, Hashable, Sendable {
    /// Every problem found, in field order.
    public var errors: [FieldError]

    /// Wraps `errors` (never empty).
    public init(_ errors: [FieldError]) {
        self.errors = errors
    }
}

/// Turns one JSON object into one validated event. Throws only for malformed JSON or a wrong top-level shape;
/// validation problems come back as `.failure` so a batch can report every bad item at once.
public protocol EventDecoder: Sendable {
    associatedtype Event: Sendable
    func decode(_ reader: inout JSONReader) throws -> Result<Event, FieldErrors>
}
