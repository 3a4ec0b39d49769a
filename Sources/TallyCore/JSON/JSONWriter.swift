/// Builds compact JSON text into a byte array.
///
/// Tally writes a lot of small, fixed-shape JSON (responses, output lines); writing it directly is several times
/// faster than `JSONEncoder` and makes the field order — part of the output contract — explicit.
public struct JSONWriter: Sendable {
    /// The JSON text written so far.
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]

    /// A writer whose buffer starts with room for `capacity` bytes (size it to the usual output to avoid regrowth).
    public init(reservingCapacity capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// The text as a `String`.
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Opens an object (as a value, or as the value of the last `key`).
    public mutating func beginObject() {
        valuePrefix()
        bytes.append(0x7B)
        needsComma.append(false)
    }
    /// Closes the innermost object.
    public mutating func endObject() {
        needsComma.removeLast()
        bytes.append(0x7D)
    }
    /// Opens an array.
    public mutating func beginArray() {
        valuePrefix()
        bytes.append(0x5B)
        needsComma.append(false)
    }
    /// Closes the innermost array.
    public mutating func endArray() {
        needsComma.removeLast()
        bytes.append(0x5D)
    }

    /// Writes a member name; the next value written is its value.
    public mutating func key(_ name: String) {
        valuePrefix()
        appendQuoted(name)
        bytes.append(0x3A)
        needsComma[needsComma.count - 1] = false
    }

    /// A string value, escaped as JSON requires.
    public mutating func value(_ text: String) {
        valuePrefix()
        appendQuoted(text)
    }
    /// An integer value.
    public mutating func value(_ number: Int64) {
        valuePrefix()
        bytes.append(contentsOf: String(number).utf8)
    }
    /// An integer value.
    public mutating func value(_ number: Int) { value(Int64(number)) }
    /// `true` or `false`.
    public mutating func value(_ flag: Bool) {
        valuePrefix()
        bytes.append(contentsOf: (flag ? "true" : "false").utf8)
    }
    /// `null`.
    public mutating func null() {
        valuePrefix()
        bytes.append(contentsOf: "null".utf8)
    }

    /// A finite double; non-finite values have no JSON form and are written as `null`.
    public mutating func value(_ number: Double) {
        guard number.isFinite else { return null() }
        if number == number.rounded(), abs(number) < 1e15 { return value(Int64(number)) }
        valuePrefix()
        bytes.append(contentsOf: "\(number)".utf8)
    }

    /// Milliseconds written as seconds: an integer when whole, else with three decimals.
    public mutating func seconds(fromMilliseconds ms: Int64) {
        valuePrefix()
        let whole = ms / 1000
        let fraction = abs(ms % 1000)
        if fraction == 0 {
            bytes.append(contentsOf: String(whole).utf8)
        } else {
            if ms < 0 && whole == 0 { bytes.append(0x2D) }
            bytes.append(contentsOf: String(whole).utf8)
            bytes.append(0x2E)
            let digits = String(fraction)
            bytes.append(contentsOf: repeatElement(UInt8(0x30), count: 3 - digits.utf8.count))
            bytes.append(contentsOf: digits.utf8)
        }
    }

    /// Writes an already-encoded JSON value verbatim (the caller guarantees it is valid JSON).
    public mutating func rawValue(_ json: String) {
        valuePrefix()
        bytes.append(contentsOf: json.utf8)
    }

    /// `"name":"text"`.
    public mutating func member(_ name: String, _ text: String) {
        key(name)
        value(text)
    }
    /// `"name":number`.
    public mutating func member(_ name: String, _ number: Int64) {
        key(name)
        value(number)
    }
    /// `"name":number`.
    public mutating func member(_ name: String, _ number: Int) {
        key(name)
        value(number)
    }
    /// `"name":true` or `false`.
    public mutating func member(_ name: String, _ flag: Bool) {
        key(name)
        value(flag)
    }
    /// `"name":[n,n,…]`.
    public mutating func member(_ name: String, integers: [Int]) {
        key(name)
        beginArray()
        for number in integers { value(number) }
        endArray()
    }

    private mutating func valuePrefix() {
        if needsComma[needsComma.count - 1] { bytes.append(0x2C) }
        needsComma[needsComma.count - 1] = true
    }

    private mutating func appendQuoted(_ text: String) {
        Self.appendQuoted(text, to: &bytes)
    }

    /// Appends `text` as a JSON string literal (quotes and escapes) to `bytes`.
    public static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(0x22)
        var text = text
        let plain = text.withUTF8 { utf8 in
            utf8.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }
        }
        if plain {
            text.withUTF8 { bytes.append(contentsOf: $0) }
            bytes.append(0x22)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
            case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
            case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
            case 0x00..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(0x22)
    }
}
