/// Log frames shaped like the unique-counting brief's generator: ~2 KB JSON objects whose root has 0–3 random
/// members, then `uid` and `ts` in random order, then more random members; values include nested objects and arrays
/// with decoy `uid`/`ts` keys, duplicate keys, every JSON escape and Cyrillic text. Deterministic for a seed.
///
/// It follows that generator's way of sizing a frame, because that decides what a scanner pays: every container
/// grows until the whole frame reaches 2048 / depth bytes, so a nested value opened before the two fields is large
/// and the fields sit behind 19% of the bytes on average (`GeneratorFidelityTests` compares the shapes).
///
/// Knobs as the brief's generator: `count` frames; `ts` starts at 1468244384 and rises by one second with
/// probability 1/`rate` per frame; `users` fixed 19-hex-digit ids; `delayProbability` of frames moved back by
/// 1…`maxDelay` seconds.
public struct FrameGenerator: Sendable {
    /// The brief generator's knobs, with its defaults.
    public struct Configuration: Hashable, Sendable {
        /// Frames to write.
        public var count: Int
        /// Frames per second of event time on average (`ts` advances with probability 1/rate per frame).
        public var rate: Int
        /// Distinct user ids to draw from.
        public var users: Int
        /// Largest delay, in seconds, of a delayed frame.
        public var maxDelay: Int
        /// Fraction of frames moved back in time (out of order), 0...1.
        public var delayProbability: Double
        /// The same seed gives the same bytes.
        public var seed: UInt64
        /// Every n-th frame writes `ts` as a string: the brief warns that it may come as one, though its generator
        /// never writes one; 0 never (the default).
        public var stringTimeEvery: Int

        /// Defaults as the brief's generator's sample run.
        public init(
            count: Int = 1000, rate: Int = 1000, users: Int = 100_000, maxDelay: Int = 0,
            delayProbability: Double = 0, seed: UInt64 = 1, stringTimeEvery: Int = 0
        ) {
            self.count = count
            self.rate = rate
            self.users = users
            self.maxDelay = maxDelay
            self.delayProbability = delayProbability
            self.seed = seed
            self.stringTimeEvery = stringTimeEvery
        }
    }

    /// The knobs this generator runs with.
    public let configuration: Configuration
    private var rng: SplitMix64
    private var time: Int64 = 1_468_244_384
    private var produced = 0
    private let userSeed: UInt64

    /// A generator at its first frame.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
        rng = SplitMix64(seed: configuration.seed)
        userSeed = configuration.seed &* 0x9E37_79B9
    }

    /// The 19-hex-digit id of user `index`.
    public func userId(_ index: Int) -> String {
        var mixer = SplitMix64(seed: userSeed &+ UInt64(index))
        let value = mixer.next()
        let hex = String(value, radix: 16)
        let padded = String(repeating: "0", count: max(0, 16 - hex.count)) + hex
        return padded + String(String(mixer.next() % 4096, radix: 16).suffix(3)).padding(to: 3)
    }

    /// Appends the next frame (with its newline); false when `count` frames were written.
    public mutating func next(into bytes: inout [UInt8]) -> Bool {
        guard produced < configuration.count else { return false }
        produced += 1
        if configuration.rate <= 1 || rng.next() % UInt64(configuration.rate) == 0 { time += 1 }
        var ts = time
        if configuration.delayProbability > 0, Double(rng.next() % 1_000_000) / 1_000_000 < configuration.delayProbability {
            ts -= 1 + Int64(rng.next() % UInt64(max(1, configuration.maxDelay)))
        }
        let user = userId(Int(rng.next() % UInt64(max(1, configuration.users))))
        let asString = configuration.stringTimeEvery > 0 && produced % configuration.stringTimeEvery == 0
        var json = JSONWriter(reservingCapacity: 2300)
        object(&json, level: 1, fields: (user, ts, asString))
        bytes.append(contentsOf: json.bytes)
        bytes.append(0x0A)
        return true
    }

    /// The frame's target size: containers grow until the frame reaches `limit / level` bytes.
    static let limit = 2048

    /// An object at nesting `level` (the frame's root is 1). The root opens with 0–3 members, then `uid` and `ts` in
    /// random order. Every object then takes members until the frame is `limit / level` bytes long, so a container
    /// opened early in a frame is large and one opened late is small or empty: that is what puts the two fields
    /// behind 19% of a frame's bytes on average in the brief's data.
    private mutating func object(_ json: inout JSONWriter, level: Int, fields: (user: String, ts: Int64, asString: Bool)? = nil) {
        json.beginObject()
        if let fields {
            for _ in 0..<(byte() & 3) { member(&json, level: level) }
            let userFirst = byte() & 1 == 1
            if userFirst { json.member("uid", fields.user) }
            if fields.asString { json.member("ts", String(fields.ts)) } else { json.member("ts", fields.ts) }
            if !userFirst { json.member("uid", fields.user) }
        }
        while json.bytes.count < Self.limit / level { member(&json, level: level) }
        json.endObject()
    }

    /// An array at nesting `level`, filled the same way.
    private mutating func array(_ json: inout JSONWriter, level: Int) {
        json.beginArray()
        while json.bytes.count < Self.limit / level { value(&json, level: level) }
        json.endArray()
    }

    /// A member of an object at `level`: a word as its name, except that a nested object names one member in six
    /// `uid` or `ts`, the decoys only the root's may be mistaken for.
    private mutating func member(_ json: inout JSONWriter, level: Int) {
        if level == 1 || byte() % 6 != 0 {
            json.key(Self.keys[Int(rng.next() % UInt64(Self.keys.count))])
        } else {
            json.key(byte() & 1 == 1 ? "uid" : "ts")
        }
        value(&json, level: level)
    }

    /// A value inside a container at `level`, in the brief generator's proportions out of 256: 21 numbers, 10
    /// booleans, 170 strings, 25 arrays and 30 objects.
    private mutating func value(_ json: inout JSONWriter, level: Int) {
        switch byte() {
        case 0...20:
            if byte() & 1 == 1 {
                json.value(Int64(byte()))
            } else {
                json.rawValue(Self.fraction(rng.next() % 1_000_000))
            }
        case 21...30: json.value(byte() & 1 == 1)
        case 31...200:
            if byte() % 10 != 0 {
                json.rawValue("\"" + Self.asciiTexts[Int(rng.next() % UInt64(Self.asciiTexts.count))] + "\"")
            } else {
                json.value(Self.cyrillicTexts[Int(rng.next() % UInt64(Self.cyrillicTexts.count))])
            }
        case 201...225: array(&json, level: level + 1)
        default: object(&json, level: level + 1)
        }
    }

    /// `millionths` / 10^6 with trailing zeros dropped, as the brief generator prints fractions (0.30288, 0.771884).
    static func fraction(_ millionths: UInt64) -> String {
        guard millionths > 0 else { return "0" }
        var digits = String(millionths)
        digits = String(repeating: "0", count: 6 - digits.count) + digits
        while digits.last == "0" { digits.removeLast() }
        return "0." + digits
    }

    /// One random byte.
    private mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: rng.next()) }
}

extension String {
    fileprivate func padding(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
