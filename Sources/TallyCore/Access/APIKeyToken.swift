/// The text of an API key as a client sends it: `tally_<id>_<secret>`.
///
/// The id (16 hex digits) is public: it names the key in `tally keys list`, logs and metrics, and finds its record
/// without a scan. The secret (64 hex digits, 256 random bits) is shown once, when the key is created; stores keep
/// only its SHA-256. A fast hash is enough because the secret is random, not chosen by a person: there is no
/// dictionary to try, and a slow hash (bcrypt) would cost every request milliseconds.
public struct APIKeyToken: Sendable, Hashable {
    public static let prefix = "tally_"
    public static let idLength = 16
    public static let secretLength = 64

    public let id: String
    public let secret: String

    /// A new random key.
    public static func generate() -> APIKeyToken {
        var generator = SystemRandomNumberGenerator()
        return APIKeyToken(id: randomHex(idLength / 2, using: &generator), secret: randomHex(secretLength / 2, using: &generator))
    }

    /// Nil for anything that is not a well-formed key (nothing is looked up for it).
    public init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        let expected = Self.prefix.utf8.count + Self.idLength + 1 + Self.secretLength
        guard utf8.count == expected, utf8.starts(with: Self.prefix.utf8) else { return nil }
        let id = utf8[Self.prefix.utf8.count..<(Self.prefix.utf8.count + Self.idLength)]
        let separator = Self.prefix.utf8.count + Self.idLength
        let secret = utf8[(separator + 1)...]
        guard utf8[separator] == UInt8(ascii: "_"), id.allSatisfy(Self.isHex), secret.allSatisfy(Self.isHex) else { return nil }
        self.id = String(decoding: id, as: UTF8.self)
        self.secret = String(decoding: secret, as: UTF8.self)
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
/// Concrete arrays: a generic version would not be specialized across modules, on every authenticated request.
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
}
