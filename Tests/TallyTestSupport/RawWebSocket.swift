/// A WebSocket client that sends exactly the frames it is told to (fragments, floods, data after a close), for
/// attacks no WebSocket library would make.
public struct RawWebSocket {
    public let connection: RawConnection

    /// Opens `path` and completes the upgrade; throws unless the server answers 101.
    public init(port: Int, path: String) async throws {
        connection = try RawConnection(port: port)
        connection.send(Self.upgradeRequest(path: path))
        // The server's first frames (a close from a timer, under load) can arrive in the same read as the 101's
        // head: they are kept for the frame reads that follow.
        let (bytes, _) = await connection.readBytes(for: .seconds(5)) { Self.headEnd(in: $0) != nil }
        guard String(decoding: bytes, as: UTF8.self).hasPrefix("HTTP/1.1 101"), let end = Self.headEnd(in: bytes) else {
            throw UpgradeRefused()
        }
        connection.unread(bytes[end...])
    }

    /// The index just past the first `\r\n\r\n`, the end of an HTTP head.
    static func headEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index..<(index + 4)].elementsEqual([13, 10, 13, 10]) { return index + 4 }
        return nil
    }

    /// The handshake a browser sends, for `path`.
    public static func upgradeRequest(path: String, headers: [String] = []) -> [UInt8] {
        Array(
            ("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + headers.map { $0 + "\r\n" }.joined() + "\r\n").utf8)
    }

    /// What the server answers an upgrade request for `path` with: the head of a 101, or a whole refusal.
    public static func answer(port: Int, path: String, headers: [String] = []) async throws -> String {
        let connection = try RawConnection(port: port)
        connection.send(upgradeRequest(path: path, headers: headers))
        // A 101 ends with its headers; a refusal with its JSON body (and a newline).
        let (answer, _) = await connection.readBytes(for: .seconds(5)) { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            return text.hasPrefix("HTTP/1.1 101") ? text.hasSuffix("\r\n\r\n") : text.hasSuffix("}\n")
        }
        return String(decoding: answer, as: UTF8.self)
    }

    public struct UpgradeRefused: Error {}

    /// One client frame (masked, as RFC 6455 requires of clients).
    public static func frame(opcode: UInt8, fin: Bool = true, payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        switch payload.count {
        case ..<126: bytes.append(0x80 | UInt8(payload.count))
        case ..<65_536: bytes += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default: bytes += [0x80 | 127] + (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
        }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        bytes += mask
        bytes += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        return bytes
    }

    /// The status code of the first close frame in `bytes` (server frames, unmasked), if one is there whole.
    public static func closeCode(in bytes: [UInt8]) -> UInt16? {
        var index = 0
        while index + 2 <= bytes.count {
            let opcode = bytes[index] & 0x0F
            var length = Int(bytes[index + 1] & 0x7F)
            var start = index + 2
            if length == 126, start + 2 <= bytes.count {
                length = Int(bytes[start]) << 8 | Int(bytes[start + 1])
                start += 2
            } else if length == 127, start + 8 <= bytes.count {
                length = bytes[start..<(start + 8)].reduce(0) { $0 << 8 | Int($1) }
                start += 8
            }
            guard start + length <= bytes.count else { return nil }
            if opcode == 0x8, length >= 2 { return UInt16(bytes[start]) << 8 | UInt16(bytes[start + 1]) }
            index = start + length
        }
        return nil
    }
}
