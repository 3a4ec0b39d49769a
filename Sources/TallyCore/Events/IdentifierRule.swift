/// What an id (user, content, session, event name) may contain.
///
/// Ids are stored, used as keys and echoed in URLs and JSON. A control character would be cut or mangled by one of
/// those layers (SQLite's C strings end at NUL, so `"victim\u0000x"` would come back as `victim`), making two
/// different ids one key; so every id entering Tally is checked here, whichever door it came through.
public enum IdentifierRule {
    /// The problem with `text` as the id `field`, or nil when it is acceptable: non-empty, at most `maxBytes`
    /// UTF-8 bytes, no control character (U+0000–U+001F, U+007F).
    public static func problem(with text: String, field: String, maxBytes: Int) -> FieldError? {
        let utf8 = text.utf8
        if utf8.isEmpty {
            return FieldError(field: field, code: .invalidValue, message: "\(field) must not be empty")
        }
        if utf8.count > maxBytes {
            return FieldError(
                field: field, code: .tooLong,
                message: "\(field) is \(utf8.count) bytes long; the limit is \(maxBytes) bytes")
        }
        if let offset = utf8.firstIndex(where: { $0 < 0x20 || $0 == 0x7F }) {
            let byte = utf8[offset]
            let hex = String(byte, radix: 16, uppercase: true)
            return FieldError(
                field: field, code: .invalidValue,
                message:
                    "\(field) contains the control character U+\(String(repeating: "0", count: 4 - hex.count))\(hex) at byte \(utf8.distance(from: utf8.startIndex, to: offset)); ids may not contain U+0000–U+001F or U+007F"
            )
        }
        return nil
    }

    /// Decodes `bytes` as an id: valid UTF-8 and acceptable to `problem(with:field:maxBytes:)`.
    public static func decode(_ bytes: some Collection<UInt8>, field: String, maxBytes: Int) -> Result<String, FieldError> {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(FieldError(field: field, code: .invalidValue, message: "\(field) is not valid UTF-8"))
        }
        if let problem = problem(with: text, field: field, maxBytes: maxBytes) { return .failure(problem) }
        return .success(text)
    }
}
