/// Finds the user and time fields of one log frame without parsing the rest of it.
///
/// Only the root object's members count: nested objects and arrays (which may contain keys named `uid` and `ts`)
/// are skipped structurally, strings with any escapes included. By default the scan stops as soon as both fields
/// are found; `validate` reads the whole frame and checks its syntax. Nothing is allocated on the common path.
public struct FrameScanner: Sendable {
    /// Where the user id's bytes are: a range of the frame, or of the scratch buffer when it had escapes.
    public struct UserBytes: Hashable, Sendable {
        /// The id's bytes, without the quotes.
        public var range: Range<Int>
        /// True when the id had escapes and `range` is in the scratch's unescaped copy.
        public var inScratch: Bool

        /// Calls `body` with the id's bytes: in the frame, or in `unescaped` (the scratch's `user`). Takes that array
        /// rather than the whole scratch: copying the scratch out of a captured variable retains all its buffers.
        public func with<T>(
            line: UnsafeRawBufferPointer, unescaped: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> T
        ) rethrows -> T {
            if inScratch { return try unescaped.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) } }
            return try body(UnsafeRawBufferPointer(rebasing: line[range]))
        }
    }

    /// Buffers one scanner reuses from frame to frame, so that scanning allocates nothing once they have grown.
    public struct Scratch: Sendable {
        /// The user id, unescaped, when its string had escapes.
        public internal(set) var user: [UInt8] = []
        var validator = JSONValidator()

        /// Empty buffers; they grow to the largest frame seen and stay.
        public init() {}
    }

    /// What one frame is: a countable one, or why not.
    public enum Result: Hashable, Sendable {
        /// Where the user id is, and the time in milliseconds.
        case frame(user: UserBytes, timeMs: Int64)
        /// No user field at the top level.
        case missingUser
        /// No time field at the top level.
        case missingTime
        /// The time field is not a non-negative integer (number or digit string).
        case invalidTime
        /// The user field is not a non-empty string.
        case invalidUser
        /// Not a JSON object: where reading stopped, and why.
        case malformed(offset: Int, reason: String)
    }

    /// The user field's name, as UTF-8 bytes compared with the frame's keys.
    public let userField: [UInt8]
    /// The time field's name, as UTF-8 bytes.
    public let timeField: [UInt8]
    /// Whether the whole frame's syntax is checked (`--validate`), not only up to the two fields.
    public let validate: Bool

    /// The brief's field names: `{"uid": …, "ts": …}`.
    public static let defaultUserField = "uid"
    /// The brief's time field.
    public static let defaultTimeField = "ts"

    /// A scanner for frames with these field names.
    public init(userField: String = Self.defaultUserField, timeField: String = Self.defaultTimeField, validate: Bool = false) {
        self.userField = Array(userField.utf8)
        self.timeField = Array(timeField.utf8)
        self.validate = validate
    }

    /// Scans one frame (a line without its newline). `scratch` holds an unescaped user id when needed.
    ///
    /// With `validate`, the whole frame is first checked by the vectorized `JSONValidator`; a frame it accepts is
    /// then scanned as without `validate` (the fields are found the same way), and only a frame it rejects goes
    /// through `JSONReader`'s validating skip, which names the error and its offset.
    public func scan(_ line: UnsafeRawBufferPointer, scratch: inout Scratch) -> Result {
        let checkRest = validate && !scratch.validator.accepts(line)
        return scan(line, userScratch: &scratch.user, validatingRest: checkRest)
    }

    /// The scan itself; `validatingRest` reads the whole frame with the validating skip.
    func scan(_ line: UnsafeRawBufferPointer, userScratch scratch: inout [UInt8], validatingRest: Bool) -> Result {
        var reader = JSONReader(line)
        guard reader.peek() == 0x7B else {
            return .malformed(offset: reader.offset, reason: reader.isAtEnd ? "empty frame" : "frame is not a JSON object")
        }
        var user: Range<Int>?
        var userEscaped = false
        var userInvalid = false
        var time: Int64?
        var timeInvalid = false
        var timeSeen = false
        do {
            _ = reader.consume(0x7B)
            if !reader.consume(0x7D) {
                while true {
                    guard reader.peek() == 0x22 else { throw reader.error("expected a member name") }
                    let keyStart = reader.offset
                    let key = reader.readUnescapedStringBytes()
                    let isUser: Bool
                    let isTime: Bool
                    if let key {
                        // Lengths first: most keys differ in length, and `elementsEqual` is a generic loop.
                        isUser = user == nil && !userInvalid && key.count == userField.count && key.elementsEqual(userField)
                        isTime = !timeSeen && key.count == timeField.count && key.elementsEqual(timeField)
                    } else {
                        reader.offset = keyStart
                        let decoded = Array(try reader.readString().utf8)
                        isUser = user == nil && !userInvalid && decoded == userField
                        isTime = !timeSeen && decoded == timeField
                    }
                    guard reader.consume(0x3A) else { throw reader.error("expected ':' after a member name") }
                    reader.skipWhitespace()
                    if isUser {
                        let start = reader.offset
                        if let raw = reader.readUnescapedStringBytes() {
                            if raw.isEmpty {
                                userInvalid = true
                            } else {
                                let base = raw.baseAddress! - line.baseAddress!
                                user = base..<(base + raw.count)
                            }
                        } else if reader.peek() == 0x22 {
                            reader.offset = start
                            let text = try reader.readString()
                            if text.isEmpty {
                                userInvalid = true
                            } else {
                                scratch.removeAll(keepingCapacity: true)
                                scratch.append(contentsOf: text.utf8)
                                userEscaped = true
                                user = 0..<scratch.count
                            }
                        } else {
                            userInvalid = true
                            try reader.skipValueValidating(depth: 1)
                        }
                    } else if isTime {
                        timeSeen = true
                        (time, timeInvalid) = try Self.readTime(&reader)
                    } else {
                        try reader.skipValueValidating(depth: 1)
                    }
                    if user != nil || userInvalid, timeSeen {
                        guard validatingRest else { break }
                        // Both fields found: check the rest of the frame without looking at keys.
                        try reader.skipRestOfObjectValidating()
                        break
                    }
                    if reader.consume(0x2C) { continue }
                    if reader.consume(0x7D) { break }
                    throw reader.error("expected ',' or '}' in the frame")
                }
            }
            if validatingRest, reader.peek() != nil { throw reader.error("unexpected data after the frame") }
        } catch let error as JSONSyntaxError {
            return .malformed(offset: error.offset, reason: error.reason)
        } catch {
            return .malformed(offset: reader.offset, reason: "\(error)")
        }
        if userInvalid { return .invalidUser }
        guard let user else { return .missingUser }
        guard timeSeen else { return .missingTime }
        guard !timeInvalid, let time else { return .invalidTime }
        let ms = time > SessionEntry.millisecondThreshold ? time : time &* 1000
        return .frame(user: UserBytes(range: user, inScratch: userEscaped), timeMs: ms)
    }

    /// A time value: a non-negative integer, as a JSON number or a string of digits.
    private static func readTime(_ reader: inout JSONReader) throws -> (Int64?, Bool) {
        if let raw = reader.readUnescapedStringBytes() {
            guard !raw.isEmpty, raw.count <= 18, raw.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return (nil, true) }
            return (raw.reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }, false)
        }
        switch try reader.readValue() {
        case .integer(let value) where value >= 0: return (value, false)
        default: return (nil, true)
        }
    }
}
