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

    /// The scan itself; `validatingRest` reads the whole frame with the validating skip. Without it, the root
    /// members are found by structure (`RootMemberFinder`), and only a frame that finder cannot read goes through
    /// the byte-by-byte reader, which also names the error of a malformed frame.
    func scan(_ line: UnsafeRawBufferPointer, userScratch scratch: inout [UInt8], validatingRest: Bool) -> Result {
        if !validatingRest, let result = scanStructurally(line, userScratch: &scratch) { return result }
        return read(line, userScratch: &scratch, validatingRest: validatingRest)
    }

    /// The frame read member by member with `JSONReader`, values before the fields checked as they are skipped.
    func read(_ line: UnsafeRawBufferPointer, userScratch scratch: inout [UInt8], validatingRest: Bool) -> Result {
        var reader = JSONReader(line)
        guard reader.peek() == 0x7B else {
            return .malformed(offset: reader.offset, reason: reader.isAtEnd ? "empty frame" : "frame is not a JSON object")
        }
        var fields = Fields()
        do {
            _ = reader.consume(0x7B)
            if !reader.consume(0x7D) {
                while true {
                    guard reader.peek() == 0x22 else { throw reader.error("expected a member name") }
                    let keyStart = reader.offset
                    let key = reader.readUnescapedStringBytes()
                    let (isUser, isTime): (Bool, Bool)
                    if let key {
                        (isUser, isTime) = fields.wanted(key, self)
                    } else {
                        reader.offset = keyStart
                        let decoded = Array(try reader.readString().utf8)
                        (isUser, isTime) = decoded.withUnsafeBytes { fields.wanted($0, self) }
                    }
                    guard reader.consume(0x3A) else { throw reader.error("expected ':' after a member name") }
                    reader.skipWhitespace()
                    if isUser {
                        if try !fields.readUser(&reader, line: line, scratch: &scratch) { try reader.skipValueValidating(depth: 1) }
                    } else if isTime {
                        fields.timeSeen = true
                        (fields.time, fields.timeInvalid) = try Self.readTime(&reader)
                    } else {
                        try reader.skipValueValidating(depth: 1)
                    }
                    if fields.complete {
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
        return fields.result
    }

    /// The two fields found by structure; nil when the frame has to be read byte by byte (see `RootMemberFinder`).
    func scanStructurally(_ line: UnsafeRawBufferPointer, userScratch scratch: inout [UInt8]) -> Result? {
        var fields = Fields()
        var unreadable = false
        let found = RootMemberFinder.visit(line) { member in
            let (isUser, isTime) = fields.wanted(member.key, self)
            guard isUser || isTime else { return false }
            var reader = JSONReader(line, offset: member.colon + 1)
            reader.skipWhitespace()
            do {
                if isUser {
                    _ = try fields.readUser(&reader, line: line, scratch: &scratch)
                } else {
                    fields.timeSeen = true
                    if let digits = Self.plainInteger(line, at: reader.offset) {
                        (fields.time, fields.timeInvalid) = (digits, false)
                    } else {
                        (fields.time, fields.timeInvalid) = try Self.readTime(&reader)
                    }
                }
            } catch {
                unreadable = true
                return true
            }
            return fields.complete
        }
        guard found, !unreadable else { return nil }
        return fields.result
    }

    /// What a scan found of the two fields so far: the first root member of each name decides.
    private struct Fields {
        var user: Range<Int>?
        var userEscaped = false
        var userInvalid = false
        var time: Int64?
        var timeInvalid = false
        var timeSeen = false

        var complete: Bool { (user != nil || userInvalid) && timeSeen }

        /// Whether `key` is the user field or the time field, and still wanted.
        @inline(__always)
        func wanted(_ key: UnsafeRawBufferPointer, _ scanner: FrameScanner) -> (user: Bool, time: Bool) {
            // Lengths first: most keys differ in length, and `elementsEqual` is a generic loop.
            let user = user == nil && !userInvalid && key.count == scanner.userField.count && key.elementsEqual(scanner.userField)
            let time = !timeSeen && key.count == scanner.timeField.count && key.elementsEqual(scanner.timeField)
            return (user, time)
        }

        /// Reads the user field's value at `reader`: a non-empty string, kept in place or, with escapes, unescaped
        /// into `scratch`; anything else makes the user invalid. Returns false when the value was not read (not a
        /// string): the caller skips it.
        mutating func readUser(_ reader: inout JSONReader, line: UnsafeRawBufferPointer, scratch: inout [UInt8]) throws -> Bool {
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
                return false
            }
            return true
        }

        /// The frame's result from what was found.
        var result: Result {
            if userInvalid { return .invalidUser }
            guard let user else { return .missingUser }
            guard timeSeen else { return .missingTime }
            guard !timeInvalid, let time else { return .invalidTime }
            let ms = time > SessionEntry.millisecondThreshold ? time : time &* 1000
            return .frame(user: UserBytes(range: user, inScratch: userEscaped), timeMs: ms)
        }
    }

    /// A JSON integer of 1 to 18 digits at `offset` (no sign, fraction, exponent or leading zero) that a comma,
    /// `}` or whitespace ends, or nil for anything else (`readTime` then reads it, and names what is wrong).
    @inline(__always)
    static func plainInteger(_ line: UnsafeRawBufferPointer, at offset: Int) -> Int64? {
        var value: Int64 = 0
        var index = offset
        while index < line.count, index - offset < 18 {
            let digit = line[index] &- 0x30
            guard digit < 10 else { break }
            value = value &* 10 &+ Int64(digit)
            index += 1
        }
        let count = index - offset
        guard count > 0, count == 1 || line[offset] != 0x30, index < line.count else { return nil }
        switch line[index] {
        case 0x2C, 0x7D, 0x20, 0x09, 0x0A, 0x0D: return value
        default: return nil
        }
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
