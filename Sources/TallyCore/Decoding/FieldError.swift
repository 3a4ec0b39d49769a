/// One problem with one field of one input item; the HTTP layer turns it into `{"code","message","field"}`.
public struct FieldError: Error, Hashable, Sendable {
    /// Stable, machine-readable problem names.
    public enum Code: String, Sendable {
        case missingField = "missing_field"
        case invalidType = "invalid_type"
        case invalidValue = "invalid_value"
        case tooLong = "too_long"
        case duplicateField = "duplicate_field"
    }

    public var field: String
    public var code: Code
    public var message: String

    public init(field: String, code: Code, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }
}

/// A field error located in a batch (`index` is nil for a single-object body).
public struct ItemError: Hashable, Sendable {
    public var index: Int?
    public var error: FieldError

    public init(index: Int?, error: FieldError) {
        self.index = index
        self.error = error
    }
}
