/// Finds WebSocket frame headers (RFC 6455 §5.2) in a byte stream without keeping any payload, so the connection
/// guard can count frames and bytes on the wire, in either direction, before the WebSocket decoder buffers them.
struct WebSocketFrameScanner {
    /// One frame's header, reported once it is complete.
    struct Header: Equatable {
        var fin: Bool
        var opcode: UInt8
        var payloadLength: UInt64

        var isControl: Bool { opcode & 0x8 != 0 }
        static let continuation: UInt8 = 0x0
        static let close: UInt8 = 0x8
        static let ping: UInt8 = 0x9
    }

    private var header: [UInt8] = []
    private var payloadLeft: UInt64 = 0

    init() { header.reserveCapacity(14) }

    /// Consumes `bytes` and calls `found` for each header completed in them, in order.
    mutating func scan(_ bytes: some Collection<UInt8>, found: (Header) -> Void) {
        var index = bytes.startIndex
        while index != bytes.endIndex {
            if payloadLeft > 0 {
                let available = UInt64(bytes.distance(from: index, to: bytes.endIndex))
                let skipped = min(available, payloadLeft)
                payloadLeft -= skipped
                index = bytes.index(index, offsetBy: Int(skipped))
                continue
            }
            header.append(bytes[index])
            index = bytes.index(after: index)
            if let complete = Self.parse(header) {
                header.removeAll(keepingCapacity: true)
                payloadLeft = complete.payloadLength
                found(complete)
            }
        }
    }

    /// The header in `bytes`, or nil while more of it is needed.
    static func parse(_ bytes: [UInt8]) -> Header? {
        guard bytes.count >= 2 else { return nil }
        let masked = bytes[1] & 0x80 != 0
        let shortLength = bytes[1] & 0x7F
        let lengthBytes = shortLength == 126 ? 2 : shortLength == 127 ? 8 : 0
        let total = 2 + lengthBytes + (masked ? 4 : 0)
        guard bytes.count == total else { return nil }
        var length = UInt64(shortLength)
        if lengthBytes > 0 {
            length = bytes[2..<(2 + lengthBytes)].reduce(0) { $0 << 8 | UInt64($1) }
        }
        return Header(fin: bytes[0] & 0x80 != 0, opcode: bytes[0] & 0x0F, payloadLength: length)
    }
}
