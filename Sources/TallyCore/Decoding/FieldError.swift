/// One problem with one field of one input item; the HTTP layer turns it into `{"code","message","field"}`.
public struct FieldError: Error, Hashable, Sendable {
    /// Stable, machine-readable problem names.
    public enum Code: String, Sendable {
        /// A required field is absent.
        case missingField = "missing_field"
        /// The field has another JSON type than required (a string for a number).
        case invalidType = "invalid_type"
        /// The type is right, the value is not (out of range, empty, a bad date).
        case invalidValue = "invalid_value"
        /// The value is longer than its limit.
        case tooLong = "too_long"
        /// The field appears twice in one object.
        case duplicateField = "duplicate_field"
    }

    /// The field's name as the client sent it (`userId`, `timestamp`).
    public var field: String
    /// What kind of problem, for programs.
    public var code: Code
    /// What is wrong and what is allowed, for people.
    public var message: String

    /// A problem with `field`.
    public init(field: String, code: Code, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }
}

/// A field error located in a batch (`index` is nil for a single-object body).
public struct ItemError: Hashable, Sendable {
    /// The item's index in the batch (0-based), nil for a single-object body.
    public var index: Int?
    /// The problem.
    public var error: FieldError

    /// A problem with item `index`.
    public init(index: Int?, error: FieldError) {
        self.index = index
        self.error = error
    }
}
