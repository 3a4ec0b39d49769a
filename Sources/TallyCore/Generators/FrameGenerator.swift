/// Log frames shaped like the unique-counting brief's generator: ~2 KB JSON objects whose root has 0–3 random
/// members, then `uid` and `ts` in random order, then more random members; values include nested objects and arrays
/// with decoy `uid`/`ts` keys, duplicate keys, every JSON escape and Cyrillic text. Deterministic for a seed.
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
        /// Every n-th frame writes `ts` as a string (the brief warns it may come as one); 0 never.
        public var stringTimeEvery: Int

        /// Defaults as the brief's generator's sample run.
        public init(
            count: Int = 1000, rate: Int = 1000, users: Int = 100_000, maxDelay: Int = 0,
            delayProbability: Double = 0, seed: UInt64 = 1, stringTimeEvery: Int = 97
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

    static let keys = [
        "lorem", "ipsum", "dolor", "sit", "amet,", "consectetur", "adipiscing", "elit,", "sed", "do",
        "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua.", "Ut",
        "enim", "ad", "minim", "veniam,", "quis", "nostrud", "exercitation", "ullamco", "laboris", "nisi",
    ]
    /// String values as they appear in the JSON text, escapes included (written verbatim).
    static let texts = [
        #"static\band\bthe\bdynamic\bworlds.\bShow\bexample"#, #"code/properties,/giving/the/best/of/both/the"#,
        #"slices,\"and\"ranges\"make\"daily\"programming\"simple"#, #"pleasant\\for\\tasks,\\both\\small\\and\\large."#,
        #"memory\fmanagement\fmakes\ffor\fsafe,\fsimple,\fand\frobust"#, #"code.\nD\nalso\nsupports\nscoped\nresource"#,
        #"the\rRAII\ridiom)\rand\rscope\rstatements"#, #"transactional\tcode\tthat\tis\teasy\tto\twrite"#,
        "Свобода, слава и любовь", "И взоры дев, и шум дубровы,", "Тоской внезапной осеня,", #"a\/b \u0041\u00e9"#,
    ]

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
        json.beginObject()
        for _ in 0..<(rng.next() % 4) { randomMember(&json, depth: 0) }
        let userFirst = rng.next() % 2 == 0
        for field in userFirst ? [0, 1] : [1, 0] {
            if field == 0 { json.member("uid", user) } else if asString { json.member("ts", String(ts)) } else { json.member("ts", ts) }
        }
        while json.bytes.count < 1900 { randomMember(&json, depth: 0) }
        json.endObject()
        bytes.append(contentsOf: json.bytes)
        bytes.append(0x0A)
        return true
    }

    private mutating func randomMember(_ json: inout JSONWriter, depth: Int) {
        let key = Self.keys[Int(rng.next() % UInt64(Self.keys.count))]
        json.key(key)
        randomValue(&json, depth: depth)
    }

    private mutating func randomValue(_ json: inout JSONWriter, depth: Int) {
        switch rng.next() % (depth < 2 ? 8 : 5) {
        case 0, 1: json.rawValue("\"" + Self.texts[Int(rng.next() % UInt64(Self.texts.count))] + "\"")
        case 2: json.value(Int64(rng.next() % 300))
        case 3: json.value(Double(rng.next() % 1_000_000) / 1_000_000)
        case 4: json.value(rng.next() % 2 == 0)
        case 5:
            json.beginObject()
            for _ in 0..<(rng.next() % 6) {
                if rng.next() % 3 == 0 {
                    json.key(rng.next() % 2 == 0 ? "uid" : "ts")
                } else {
                    json.key(Self.keys[Int(rng.next() % UInt64(Self.keys.count))])
                }
                randomValue(&json, depth: depth + 1)
            }
            json.endObject()
        default:
            json.beginArray()
            for _ in 0..<(rng.next() % 4) { randomValue(&json, depth: depth + 1) }
            json.endArray()
        }
    }
}

extension String {
    fileprivate func padding(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
