extension JSONReader {
    /// Reads a number per RFC 8259. Integers that fit in `Int64` stay exact; anything else becomes a `Double`.
    public mutating func readNumber() throws -> JSONValue {
        skipWhitespace()
        let start = offset
        var i = offset
        var negative = false
        if i < bytes.count, bytes[i] == 0x2D {
            negative = true
            i += 1
        }
        guard i < bytes.count, isDigit(bytes[i]) else { throw JSONSyntaxError(offset: i, reason: "invalid number") }
        var magnitude: UInt64 = 0
        var overflow = false
        if bytes[i] == 0x30 {
            i += 1
            if i < bytes.count, isDigit(bytes[i]) {
                throw JSONSyntaxError(offset: i, reason: "leading zeros are not allowed in numbers")
            }
        } else {
            while i < bytes.count, isDigit(bytes[i]) {
                let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (m2, o2) = m1.addingReportingOverflow(UInt64(bytes[i] - 0x30))
                overflow = overflow || o1 || o2
                magnitude = m2
                i += 1
            }
        }
        var isInteger = true
        if i < bytes.count, bytes[i] == 0x2E {
            isInteger = false
            i += 1
            guard i < bytes.count, isDigit(bytes[i]) else {
                throw JSONSyntaxError(offset: i, reason: "expected a digit after the decimal point")
            }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count, bytes[i] == 0x65 || bytes[i] == 0x45 {
            isInteger = false
            i += 1
            if i < bytes.count, bytes[i] == 0x2B || bytes[i] == 0x2D { i += 1 }
            guard i < bytes.count, isDigit(bytes[i]) else {
                throw JSONSyntaxError(offset: i, reason: "expected a digit in the exponent")
            }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        offset = i
        if isInteger && !overflow {
            if negative {
                if magnitude <= UInt64(Int64.max) { return .integer(-Int64(magnitude)) }
                if magnitude == UInt64(Int64.max) + 1 { return .integer(Int64.min) }
            } else if magnitude <= UInt64(Int64.max) {
                return .integer(Int64(magnitude))
            }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        guard let value = Double(text) else { throw JSONSyntaxError(offset: start, reason: "invalid number") }
        return .number(value)
    }

    @inline(__always)
    private func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
}
