/// Parsing and formatting of ISO-8601 / RFC 3339 date-times, hand-written because it sits on the ingest path.
///
/// Accepted: `YYYY-MM-DDTHH:MM:SS`, optional fraction (any number of digits, kept to the millisecond, truncated),
/// then a zone: `Z`, `z`, `±HH:MM`, `±HHMM` or `±HH`. A zone is required: a time without one is ambiguous, and
/// guessing a zone silently shifts watch time.
public enum ISO8601 {
    /// Output styles.
    public enum Style: Sendable {
        /// `2021-10-26T13:27:01Z`, with `.SSS` when the milliseconds are not zero.
        case zulu
        /// `2021-10-26T13:27:01+0000`, the heartbeat brief's own format (seconds only).
        case numericOffset
    }

    /// Text that is not an accepted date-time, with what is wrong.
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The instant `text` names; see `parse(bytes:)` for the accepted forms.
    public static func parse(_ text: String) throws(ParseError) -> Timestamp {
        var copy = text
        let result: Result<Timestamp, ParseError> = copy.withUTF8 { bytes in
            do throws(ParseError) { return .success(try parse(bytes: bytes)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Parses straight from bytes, so a request's timestamp costs no `String`.
    public static func parse(bytes b: UnsafeBufferPointer<UInt8>) throws(ParseError) -> Timestamp {
        var i = 0
        func fail(_ message: String) -> ParseError {
            ParseError(description: "\(message); expected e.g. 2021-10-26T13:27:01+00:00")
        }
        func digits(_ count: Int) throws(ParseError) -> Int {
            guard i + count <= b.count else { throw fail("date-time is truncated") }
            var value = 0
            for _ in 0..<count {
                let c = b[i]
                guard c >= 0x30 && c <= 0x39 else { throw fail("expected a digit at position \(i + 1)") }
                value = value * 10 + Int(c - 0x30)
                i += 1
            }
            return value
        }
        func literal(_ expected: UInt8, _ name: String) throws(ParseError) {
            guard i < b.count, b[i] == expected else { throw fail("expected '\(name)' at position \(i + 1)") }
            i += 1
        }
        let year = try digits(4)
        try literal(0x2D, "-")
        let month = try digits(2)
        try literal(0x2D, "-")
        let day = try digits(2)
        guard i < b.count, b[i] == 0x54 || b[i] == 0x74 || b[i] == 0x20 else { throw fail("expected 'T' after the date") }
        i += 1
        let hour = try digits(2)
        try literal(0x3A, ":")
        let minute = try digits(2)
        try literal(0x3A, ":")
        let second = try digits(2)
        guard (1...12).contains(month) else { throw fail("month \(month) is out of range") }
        guard (1...CivilDate.daysInMonth(year: year, month: month)).contains(day) else {
            throw fail("day \(day) does not exist in \(year)-\(month < 10 ? "0" : "")\(month)")
        }
        guard hour <= 23, minute <= 59, second <= 59 else { throw fail("time of day is out of range") }
        var millis = 0
        if i < b.count, b[i] == 0x2E || b[i] == 0x2C {
            i += 1
            var count = 0
            while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
                if count < 3 { millis = millis * 10 + Int(b[i] - 0x30) }
                count += 1
                i += 1
            }
            guard count > 0 else { throw fail("expected digits after the decimal point") }
            for _ in count..<max(count, 3) { millis *= 10 }
        }
        guard i < b.count else { throw fail("missing time zone offset (use Z or +00:00)") }
        var offsetSeconds = 0
        switch b[i] {
        case 0x5A, 0x7A:
            i += 1
        case 0x2B, 0x2D:
            let sign = b[i] == 0x2D ? -1 : 1
            i += 1
            let hours = try digits(2)
            var minutes = 0
            if i < b.count {
                if b[i] == 0x3A { i += 1 }
                minutes = try digits(2)
            }
            guard hours <= 23, minutes <= 59 else { throw fail("time zone offset is out of range") }
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        default:
            throw fail("expected a time zone offset at position \(i + 1)")
        }
        guard i == b.count else { throw fail("unexpected characters after the time zone") }
        let days = CivilDate(year: year, month: month, day: day).daysSinceEpoch
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        return Timestamp(millisecondsSinceEpoch: seconds * 1000 + Int64(millis))
    }

    /// The instant as text in `style`.
    public static func format(_ time: Timestamp, style: Style) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        format(time, style: style, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the formatted time to `bytes`, without building a `String` (output hot paths).
    public static func format(_ time: Timestamp, style: Style, into bytes: inout [UInt8]) {
        let ms = time.millisecondsSinceEpoch
        let seconds = time.secondsSinceEpoch
        let millis = Int(ms - seconds * 1000)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let date = CivilDate(daysSinceEpoch: Int(days))
        appendPadded(date.year, width: 4, to: &bytes)
        bytes.append(0x2D)
        appendPadded(date.month, width: 2, to: &bytes)
        bytes.append(0x2D)
        appendPadded(date.day, width: 2, to: &bytes)
        bytes.append(0x54)
        appendPadded(secondOfDay / 3600, width: 2, to: &bytes)
        bytes.append(0x3A)
        appendPadded(secondOfDay / 60 % 60, width: 2, to: &bytes)
        bytes.append(0x3A)
        appendPadded(secondOfDay % 60, width: 2, to: &bytes)
        switch style {
        case .zulu:
            if millis != 0 {
                bytes.append(0x2E)
                appendPadded(millis, width: 3, to: &bytes)
            }
            bytes.append(0x5A)
        case .numericOffset:
            bytes.append(contentsOf: [0x2B, 0x30, 0x30, 0x30, 0x30])
        }
    }

    private static func appendPadded(_ value: Int, width: Int, to bytes: inout [UInt8]) {
        guard value >= 0 else { return bytes.append(contentsOf: String(value).utf8) }
        var digits = 1
        var power = 1
        while value / power >= 10 {
            power *= 10
            digits += 1
        }
        for _ in digits..<max(digits, width) { bytes.append(0x30) }
        while power > 0 {
            bytes.append(0x30 + UInt8(value / power % 10))
            power /= 10
        }
    }
}
