/// A JSON value as the ingest decoders need it: scalars decoded, containers only named.
///
/// Event decoders read flat objects; nested containers in an event are either an error (a field of the wrong type)
/// or ignored, so materializing them would only cost allocations.
public enum JSONValue: Hashable, Sendable {
    /// A string, unescaped.
    case string(String)
    /// A number written without fraction or exponent that fits in 64 bits.
    case integer(Int64)
    /// Any other number.
    case number(Double)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null
    /// An object, skipped.
    case object
    /// An array, skipped.
    case array

    /// The JSON type's name, for error messages ("expected an integer, got a string").
    public var typeName: String {
        switch self {
        case .string: return "a string"
        case .integer, .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        case .object: return "an object"
        case .array: return "an array"
        }
    }
}
