/// Strict percent-decoding of URL path segments and query strings (RFC 3986).
///
/// Lenient decoders keep `%ZZ` as it is and replace invalid UTF-8 with U+FFFD, so two different requests can name
/// one id, or an id can be stored that no URL can ask for again. Here either problem is an error naming the
/// parameter. `+` is a literal plus, as in paths: a client encodes a space as `%20`.
public enum PercentDecoding {
    /// The text `raw` stands for, or a `FieldError` for `field` naming what is wrong with it.
    public static func decode(_ raw: Substring, field: String) -> Result<String, FieldError> {
        let utf8 = raw.utf8
        guard utf8.contains(0x25) else {
            guard let text = String(validating: utf8, as: UTF8.self) else { return .failure(invalidUTF8(field)) }
            return .success(text)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        var offset = 0
        while index < utf8.endIndex {
            let byte = utf8[index]
            guard byte == 0x25 else {
                bytes.append(byte)
                index = utf8.index(after: index)
                offset += 1
                continue
            }
            let first = utf8.index(after: index)
            let second = first < utf8.endIndex ? utf8.index(after: first) : first
            guard second < utf8.endIndex, let high = hexValue(utf8[first]), let low = hexValue(utf8[second]) else {
                return .failure(
                    FieldError(
                        field: field, code: .invalidValue,
                        message: "\(field) has an invalid percent-escape at character \(offset); % must be followed by two hex digits"))
            }
            bytes.append(high << 4 | low)
            index = utf8.index(after: second)
            offset += 3
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { return .failure(invalidUTF8(field)) }
        return .success(text)
    }

    /// The `name=value` pairs of a query string, each side decoded; a bare `name` has an empty value. Empty
    /// pairs (`a=1&&b=2`) are skipped.
    public static func queryParameters(_ query: Substring) throws(FieldError) -> [(name: Substring, value: Substring)] {
        var parameters: [(name: Substring, value: Substring)] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: "=")
            let rawName = equals.map { pair[..<$0] } ?? pair
            let rawValue = equals.map { pair[pair.index(after: $0)...] } ?? ""
            let name = try decode(rawName, field: "query parameter name").get()
            let value = try decode(rawValue, field: name.isEmpty ? "query" : String(name.prefix(64))).get()
            parameters.append((name: name[...], value: value[...]))
        }
        return parameters
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    private static func invalidUTF8(_ field: String) -> FieldError {
        FieldError(field: field, code: .invalidValue, message: "\(field) is not valid UTF-8 once percent-decoded")
    }
}
