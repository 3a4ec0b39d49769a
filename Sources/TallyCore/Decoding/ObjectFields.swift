/// The members of one flat JSON object that a decoder asked for, read in a single pass.
///
/// Keys are matched as bytes and values are only located during the pass, then decoded on demand by the typed
/// accessors, so a heartbeat costs no `String` for its keys and none for its timestamp. Unknown members are
/// skipped (clients may send more than Tally needs); a known member given twice is an error, because "last one
/// wins" would silently pick one of two different values.
public struct ObjectFields {
    /// Member names to look for, as UTF-8 bytes.
    public struct Names: Sendable {
        /// The names, in the order the typed accessors refer to them.
        public let names: [String]
        fileprivate let utf8: [[UInt8]]

        /// Prepared once per decoder, so each object compares bytes only.
        public init(_ names: [String]) {
            self.names = names
            utf8 = names.map { Array($0.utf8) }
        }

        fileprivate func slot(of key: UnsafeRawBufferPointer) -> Int? {
            for (index, name) in utf8.enumerated() where name.count == key.count {
                if name.withUnsafeBytes({ $0.elementsEqual(key) }) { return index }
            }
            return nil
        }
    }

    /// Problems found so far (duplicates while reading; the accessors add theirs).
    public private(set) var errors: [FieldError] = []
    private let names: Names
    /// Offset of each known member's value, -1 when absent. Inline storage: no allocation per object.
    private var starts = Slots()
    private let bytes: UnsafeRawBufferPointer

    /// Up to eight value offsets, stored inline.
    struct Slots {
        private var storage: (Int, Int, Int, Int, Int, Int, Int, Int) = (-1, -1, -1, -1, -1, -1, -1, -1)
        static let capacity = 8

        subscript(index: Int) -> Int {
            get { withUnsafeBytes(of: storage) { $0.load(fromByteOffset: index * MemoryLayout<Int>.stride, as: Int.self) } }
            set {
                withUnsafeMutableBytes(of: &storage) {
                    $0.storeBytes(of: newValue, toByteOffset: index * MemoryLayout<Int>.stride, as: Int.self)
                }
            }
        }
    }

    /// Reads the object at `reader`. Throws only for malformed JSON or a non-object; field problems land in `errors`.
    public init(reading reader: inout JSONReader, names: Names) throws {
        precondition(names.names.count <= Slots.capacity, "ObjectFields handles at most \(Slots.capacity) names")
        self.names = names
        self.bytes = reader.bytes
        var starts = Slots()
        guard reader.peek() == 0x7B else {
            guard reader.peek() != nil else { throw InputShapeError(message: "expected a JSON object, got nothing") }
            let kind = try reader.readValue().typeName
            throw InputShapeError(message: "expected a JSON object, got \(kind)")
        }
        var errors: [FieldError] = []
        try reader.readObjectMembers { key, reader in
            guard let slot = names.slot(of: key) else { return }
            if starts[slot] >= 0 {
                let name = names.names[slot]
                errors.append(FieldError(field: name, code: .duplicateField, message: "\(name) is given more than once"))
            }
            reader.skipWhitespace()
            starts[slot] = reader.offset
        }
        self.starts = starts
        self.errors = errors
    }

    private func reader(for name: String) -> JSONReader? {
        // Names are few and short: a linear scan that usually stops at the first or second entry.
        for slot in names.names.indices where starts[slot] >= 0 && names.names[slot] == name {
            return JSONReader(bytes, offset: starts[slot])
        }
        return nil
    }

    /// A reader positioned on the value of `name` (nil when absent), for values that are containers.
    public func valueReader(_ name: String) -> JSONReader? {
        reader(for: name)
    }

    /// The value of `name`, decoded generically (nil when absent or malformed; `string` and `integer` tell the two
    /// apart).
    public subscript(name: String) -> JSONValue? {
        if case .value(let value) = decoded(name) { return value }
        return nil
    }

    /// A member's value, or why it could not be read (a lone surrogate escape, invalid UTF-8): such a member is
    /// present, so calling it missing would send the client looking for the wrong mistake.
    private enum Decoded {
        case absent
        case value(JSONValue)
        case malformed(String)
    }

    private func decoded(_ name: String) -> Decoded {
        guard var reader = reader(for: name) else { return .absent }
        do {
            return .value(try reader.readValue())
        } catch let error as JSONSyntaxError {
            return .malformed(error.reason)
        } catch {
            return .malformed("\(error)")
        }
    }

    /// A required id: a string acceptable to `IdentifierRule` (non-empty, at most `maxBytes` UTF-8 bytes, no
    /// control characters).
    public mutating func string(_ name: String, maxBytes: Int) -> String? {
        switch decoded(name) {
        case .value(.string(let text)):
            if let problem = IdentifierRule.problem(with: text, field: name, maxBytes: maxBytes) {
                errors.append(problem)
                return nil
            }
            return text
        case .absent:
            errors.append(missing(name))
        case .malformed(let reason):
            errors.append(FieldError(field: name, code: .invalidValue, message: "\(name) is not a valid string: \(reason)"))
        case .value(let other):
            errors.append(wrongType(name, expected: "a string", got: other))
        }
        return nil
    }

    /// A required integer within `range`. A number written with a fraction or exponent counts when its value is a
    /// whole number (`12.0`, `1.2e1`): JSON does not tell the two apart, JSON Schema's `integer` accepts both, and
    /// Python's `json` writes floats that way.
    public mutating func integer(_ name: String, in range: ClosedRange<Int64>, rule: String) -> Int64? {
        switch decoded(name) {
        case .value(.integer(let value)):
            guard range.contains(value) else {
                errors.append(FieldError(field: name, code: .invalidValue, message: "\(name) must be \(rule), got \(value)"))
                return nil
            }
            return value
        case .value(.number(let value)):
            // Beyond 2^53 a double no longer holds every whole number: such a value is refused, not rounded.
            if value.rounded(.towardZero) == value, value.magnitude <= 9_007_199_254_740_992 {
                let whole = Int64(value)
                guard range.contains(whole) else {
                    errors.append(FieldError(field: name, code: .invalidValue, message: "\(name) must be \(rule), got \(value)"))
                    return nil
                }
                return whole
            }
            let code: FieldError.Code = value.rounded(.towardZero) == value ? .invalidValue : .invalidType
            errors.append(FieldError(field: name, code: code, message: "\(name) must be \(rule), got \(value)"))
        case .absent:
            errors.append(missing(name))
        case .malformed(let reason):
            errors.append(FieldError(field: name, code: .invalidValue, message: "\(name) is not valid JSON: \(reason)"))
        case .value(let other):
            errors.append(wrongType(name, expected: rule, got: other))
        }
        return nil
    }

    /// A required ISO-8601 date-time string, parsed straight from the bytes when it has no escapes.
    public mutating func timestamp(_ name: String) -> Timestamp? {
        guard var reader = reader(for: name) else {
            errors.append(missing(name))
            return nil
        }
        if let raw = reader.readUnescapedStringBytes() {
            do {
                return try ISO8601.parse(bytes: raw.bindMemory(to: UInt8.self))
            } catch {
                errors.append(FieldError(field: name, code: .invalidValue, message: "\(name) \(error.description)"))
                return nil
            }
        }
        switch decoded(name) {
        case .value(.string(let text)):
            do {
                return try ISO8601.parse(text)
            } catch {
                errors.append(FieldError(field: name, code: .invalidValue, message: "\(name) \(error.description)"))
            }
        case .value(let other):
            errors.append(wrongType(name, expected: "an ISO-8601 string", got: other))
        case .malformed(let reason):
            errors.append(FieldError(field: name, code: .invalidValue, message: "\(name) is not a valid string: \(reason)"))
        case .absent:
            errors.append(missing(name))
        }
        return nil
    }

    /// Adds a problem a decoder found itself (a rule across fields, like position ≤ duration).
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
    /// What was expected and what came instead.
    public var message: String
}
