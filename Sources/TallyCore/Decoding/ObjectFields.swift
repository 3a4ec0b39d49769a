/// The members of one flat JSON object that a decoder asked for, read in a single pass.
///
/// Unknown members are skipped (clients may send more than Tally needs); a known member given twice is an error,
/// because "last one wins" would silently pick one of two different values.
public struct ObjectFields {
    public private(set) var values: [JSONValue?]
    public private(set) var errors: [FieldError] = []
    private let names: [String]

    /// Reads the object at `reader`. Throws only for malformed JSON; field problems land in `errors`.
    public init(reading reader: inout JSONReader, names: [String]) throws {
        self.names = names
        self.values = Array(repeating: nil, count: names.count)
        guard reader.peek() == 0x7B else {
            guard reader.peek() != nil else { throw InputShapeError(message: "expected a JSON object, got nothing") }
            let kind = try reader.readValue().typeName
            throw InputShapeError(message: "expected a JSON object, got \(kind)")
        }
        var values = self.values
        var errors: [FieldError] = []
        try reader.readObject { key, reader in
            guard let slot = names.firstIndex(of: key) else { return }
            let value = try reader.readValue()
            if values[slot] != nil {
                errors.append(FieldError(field: key, code: .duplicateField, message: "\(key) is given more than once"))
            }
            values[slot] = value
        }
        self.values = values
        self.errors = errors
    }

    public subscript(name: String) -> JSONValue? {
        names.firstIndex(of: name).flatMap { values[$0] }
    }

    /// A required, non-empty string of at most `maxBytes` UTF-8 bytes.
    public mutating func string(_ name: String, maxBytes: Int) -> String? {
        switch self[name] {
        case .string(let text):
            if text.isEmpty {
                errors.append(FieldError(field: name, code: .invalidValue, message: "\(name) must not be empty"))
                return nil
            }
            if text.utf8.count > maxBytes {
                errors.append(FieldError(
                    field: name, code: .tooLong,
                    message: "\(name) is \(text.utf8.count) bytes long; the limit is \(maxBytes) bytes"))
                return nil
            }
            return text
        case nil:
            errors.append(missing(name))
        case let other?:
            errors.append(wrongType(name, expected: "a string", got: other))
        }
        return nil
    }

    /// A required integer within `range`.
    public mutating func integer(_ name: String, in range: ClosedRange<Int64>, rule: String) -> Int64? {
        switch self[name] {
        case .integer(let value):
            guard range.contains(value) else {
                errors.append(FieldError(field: name, code: .invalidValue, message: "\(name) must be \(rule), got \(value)"))
                return nil
            }
            return value
        case .number(let value):
            errors.append(FieldError(field: name, code: .invalidType, message: "\(name) must be \(rule), got \(value)"))
        case nil:
            errors.append(missing(name))
        case let other?:
            errors.append(wrongType(name, expected: rule, got: other))
        }
        return nil
    }

    public mutating func record(_ error: FieldError) {
        errors.append(error)
    }

    private func missing(_ name: String) -> FieldError {
        FieldError(field: name, code: .missingField, message: "\(name) is required")
    }

    private func wrongType(_ name: String, expected: String, got: JSONValue) -> FieldError {
        FieldError(field: name, code: .invalidType, message: "\(name) must be \(expected), got \(got.typeName)")
    }
}

/// Thrown when a body's top-level value is not the container a decoder expects.
public struct InputShapeError: Error, Hashable, Sendable {
    public var message: String
}
