/// Realistic, deterministic heartbeat traffic for tests, benchmarks and demos.
///
/// Every viewer sends a heartbeat every 10 s of event time (each with its own phase), and while watching may pause,
/// seek forward or back, or switch to another movie; finishing a movie starts another. With a late fraction, some
/// heartbeats are delivered up to `maxDelay` seconds after later ones (out of order). The same seed gives the same
/// bytes.
public struct HeartbeatGenerator: Sendable {
    /// The traffic to simulate.
    public struct Configuration: Hashable, Sendable {
        /// Viewers, each with its own cadence phase.
        public var users: Int
        /// Movies to choose from; their lengths are drawn once per movie.
        public var movies: Int
        /// Seconds of event time to simulate.
        public var duration: Int
        /// Event time of the first heartbeat.
        public var start: Timestamp
        /// Fraction of heartbeats delivered late (after later ones), 0...1.
        public var lateFraction: Double
        /// Largest delivery delay of a late heartbeat, in seconds.
        public var maxDelay: Int
        /// The same seed gives the same bytes.
        public var seed: UInt64

        /// The defaults make a small, in-order stream from the brief's example day.
        public init(
            users: Int = 100, movies: Int = 20, duration: Int = 600,
            start: Timestamp = Timestamp(secondsSinceEpoch: 1_635_253_200),  // 2021-10-26T13:00:00Z
            lateFraction: Double = 0, maxDelay: Int = 30, seed: UInt64 = 1
        ) {
            self.users = users
            self.movies = movies
            self.duration = duration
            self.start = start
            self.lateFraction = lateFraction
            self.maxDelay = maxDelay
            self.seed = seed
        }
    }

    private struct Viewer {
        var movie: Int
        var position: Int64
        var paused: Bool
    }

    /// The traffic this generator simulates.
    public let configuration: Configuration
    private var rng: SplitMix64
    private var viewers: [Viewer] = []
    private var second = 0
    private var delayed: [Int: [Heartbeat]] = [:]

    /// A generator at its first heartbeat.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
        rng = SplitMix64(seed: configuration.seed)
        viewers = (0..<configuration.users).map { _ in Viewer(movie: 0, position: 0, paused: false) }
        for i in viewers.indices {
            let movie = Int(rng.next() % UInt64(max(1, configuration.movies)))
            viewers[i] = Viewer(movie: movie, position: Int64(rng.next() % UInt64(Self.length(of: movie))), paused: false)
        }
    }

    /// Length in seconds of movie `index`: 20 minutes to 3 hours, fixed per index.
    public static func length(of movie: Int) -> Int64 {
        var mixer = SplitMix64(seed: UInt64(movie) &* 0x9E37)
        return 1200 + Int64(mixer.next() % 9600)
    }

    /// The heartbeats delivered during the next second of event time, in delivery order; nil when done.
    public mutating func nextSecond() -> [Heartbeat]? {
        let end = configuration.duration
        guard second < end + configuration.maxDelay + 1 else { return nil }
        var delivered = delayed.removeValue(forKey: second) ?? []
        if second < end {
            let time = Timestamp(millisecondsSinceEpoch: configuration.start.millisecondsSinceEpoch + Int64(second) * 1000)
            var user = second % 10
            while user < viewers.count {
                let heartbeat = tick(user: user, at: time)
                if configuration.lateFraction > 0, Double(rng.next() % 1_000_000) / 1_000_000 < configuration.lateFraction {
                    let delay = 1 + Int(rng.next() % UInt64(max(1, configuration.maxDelay)))
                    delayed[second + delay, default: []].append(heartbeat)
                } else {
                    delivered.append(heartbeat)
                }
                user += 10
            }
        }
        second += 1
        return delivered
    }

    private mutating func tick(user: Int, at time: Timestamp) -> Heartbeat {
        var viewer = viewers[user]
        let roll = rng.next() % 1000
        let length = Self.length(of: viewer.movie)
        switch roll {
        case 0..<30: viewer.paused.toggle()
        case 30..<45: viewer.position = min(length, viewer.position + 60 + Int64(rng.next() % 600))  // seek forward
        case 45..<55: viewer.position = max(0, viewer.position - Int64(rng.next() % 300))  // rewind
        case 55..<60:  // switch movie
            viewer = Viewer(movie: Int(rng.next() % UInt64(max(1, configuration.movies))), position: 0, paused: false)
        default:
            if !viewer.paused { viewer.position = min(length, viewer.position + 10) }
        }
        let heartbeat = Heartbeat(
            userId: "user_\(user)", movieId: "movie_\(viewer.movie)", duration: Self.length(of: viewer.movie),
            position: min(viewer.position, Self.length(of: viewer.movie)), timestamp: time)
        if viewer.position >= Self.length(of: viewer.movie) {
            viewer = Viewer(movie: Int(rng.next() % UInt64(max(1, configuration.movies))), position: 0, paused: false)
        }
        viewers[user] = viewer
        return heartbeat
    }

    /// Writes one heartbeat as the brief's JSON line.
    public static func writeLine(_ heartbeat: Heartbeat, into bytes: inout [UInt8]) {
        var json = JSONWriter(reservingCapacity: 128)
        json.beginObject()
        json.member("userId", heartbeat.userId)
        json.member("movieId", heartbeat.movieId)
        json.member("duration", heartbeat.duration)
        json.member("position", heartbeat.position)
        json.member("timestamp", ISO8601.format(heartbeat.timestamp, style: .numericOffset))
        json.endObject()
        bytes.append(contentsOf: json.bytes)
        bytes.append(0x0A)
    }
}
