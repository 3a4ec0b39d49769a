/// The text of an API key as a client sends it: `tally_<id>_<secret>`.
///
/// The id (16 hex digits) is public: it names the key in `tally keys list`, logs and metrics, and finds its record
/// without a scan. The secret (64 hex digits, 256 random bits) is shown once, when the key is created; stores keep
/// only its SHA-256. A fast hash is enough because the secret is random, not chosen by a person: there is no
/// dictionary to try, and a slow hash (bcrypt) would cost every request milliseconds.
public struct APIKeyToken: Sendable, Hashable {
    /// Opens every key, so secret scanners and people can tell a Tally key from other secrets.
    public static let prefix = "tally_"
    /// Hex digits of the id (64 bits).
    public static let idLength = 16
    /// Hex digits of the secret (256 random bits).
    public static let secretLength = 64

    /// The key's public id (16 lowercase hex digits).
    public let id: String
    /// The key's secret (64 lowercase hex digits); never stored, only its SHA-256.
    public let secret: String

    /// A new random key.
    public static func generate() -> APIKeyToken {
        var generator = SystemRandomNumberGenerator()
        return APIKeyToken(id: randomHex(idLength / 2, using: &generator), secret: randomHex(secretLength / 2, using: &generator))
    }

    /// Nil for anything that is not a well-formed key (nothing is looked up for it).
    public init?(_ text: some StringProtocol) {
        var text = String(text)
        guard
            let token = text.withUTF8({ bytes in
                Self.parse(UnsafeRawBufferPointer(bytes)).map { parsed in
                    APIKeyToken(id: String(decoding: parsed.idText, as: UTF8.self), secret: String(decoding: parsed.secret, as: UTF8.self))
                }
            })
        else { return nil }
        self = token
    }

    /// The parts of a key's text, checked for form without copying: servers parse the key of every request.
    /// `id` is the id's 16 hex digits read as a number (the lookup key of `KeyRing`), `idText` and `secret` point
    /// into `text`.
    public static func parse(_ text: UnsafeRawBufferPointer) -> (
        id: UInt64, idText: UnsafeRawBufferPointer, secret: UnsafeRawBufferPointer
    )? {
        let prefixLength = prefix.utf8.count
        guard text.count == prefixLength + idLength + 1 + secretLength, text.starts(with: prefix.utf8),
            text[prefixLength + idLength] == UInt8(ascii: "_")
        else { return nil }
        let idText = UnsafeRawBufferPointer(rebasing: text[prefixLength..<(prefixLength + idLength)])
        let secret = UnsafeRawBufferPointer(rebasing: text[(prefixLength + idLength + 1)...])
        guard let id = numericID(idText), secret.allSatisfy(isHex) else { return nil }
        return (id, idText, secret)
    }

    /// The id's hex digits as a number; nil unless they are `idLength` lowercase hex digits.
    public static func numericID(_ digits: some Collection<UInt8>) -> UInt64? {
        guard digits.count == idLength else { return nil }
        var value: UInt64 = 0
        for digit in digits {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt64(digit - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt64(digit - UInt8(ascii: "a") + 10)
            default: return nil
            }
        }
        return value
    }

    private init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// The key as the client sends it.
    public var text: String { Self.prefix + id + "_" + secret }

    private static func isHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    private static func randomHex(_ bytes: Int, using generator: inout SystemRandomNumberGenerator) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes * 2)
        for _ in 0..<bytes {
            let byte = UInt8.random(in: 0...255, using: &generator)
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// Compares two digests in time that depends only on their lengths, so that a client timing its answers learns
/// nothing about how much of a guess was right.
/// Raw buffers: a generic version would not be specialized across modules, on every authenticated request.
public func constantTimeEquals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in 0..<a.count { difference |= a[index] ^ b[index] }
    return difference == 0
}
