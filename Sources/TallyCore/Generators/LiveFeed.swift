/// A living mix of every event kind for a running server, at a given rate: viewers who play, seek, finish and
/// switch titles (heartbeats, some late), watch events, ad impressions and clicks, and sessions that start, send
/// events and end (a few are abandoned). Event times follow the caller's clock, so a dashboard shows them as now.
///
/// Pure: the caller supplies the time of every tick and sends what it returns; the same seed and times give the
/// same events.
public struct LiveFeed: Sendable {
    /// Size and pace of the feed.
    public struct Configuration: Hashable, Sendable {
        /// Events per second over all kinds.
        public var rate: Int
        /// Distinct viewers (`user_1` … `user_N`), shared by heartbeats, watch events and ads.
        public var users: Int
        /// Distinct titles (`movie_1` … `movie_N`).
        public var movies: Int
        /// Share of heartbeats sent 15–40 s after their time, so resume windows get revised.
        public var lateFraction: Double
        /// Seed of every random choice.
        public var seed: UInt64

        /// Defaults that keep every dashboard panel moving at 200 events/s.
        public init(rate: Int = 200, users: Int = 300, movies: Int = 40, lateFraction: Double = 0.03, seed: UInt64 = 1) {
            self.rate = rate
            self.users = users
            self.movies = movies
            self.lateFraction = lateFraction
            self.seed = seed
        }
    }

    /// One ad interaction, as `POST /analytics` takes it.
    public struct AdInteraction: Hashable, Sendable {
        /// Who saw or clicked the ad.
        public var user: String
        /// A click, else an impression.
        public var click: Bool
        /// When, in milliseconds since the epoch.
        public var timeMs: Int64
    }

    /// One session message: its session's id and the message body (a JSON array of entries).
    public struct SessionMessage: Hashable, Sendable {
        /// The session the message belongs to.
        public var id: String
        /// The message as `POST /sessions/{id}/events` takes it.
        public var body: [UInt8]
    }

    /// What one tick sends.
    public struct Tick: Sendable {
        /// Heartbeats, for `POST /heartbeats`.
        public var heartbeats: [Heartbeat] = []
        /// Watch events, for `POST /events`.
        public var watches: [WatchEvent] = []
        /// Ad interactions, one `POST /analytics` each.
        public var ads: [AdInteraction] = []
        /// Session messages, one `POST /sessions/{id}/events` each, in order.
        public var sessions: [SessionMessage] = []

        /// Events in the tick (a session message counts its entries).
        public var events: Int { heartbeats.count + watches.count + ads.count + sessionEntries }
        /// Session entries in the tick.
        public var sessionEntries = 0
    }

    private struct Viewer: Sendable {
        var movie: Int
        var position: Int64
        var lastMs: Int64?
    }

    private struct OpenSession: Sendable {
        var id: String
        var remaining: Int
        var abandons: Bool
    }

    /// The feed's settings.
    public let configuration: Configuration
    private var random: SplitMix64
    private var viewers: [Viewer]
    private var open: [OpenSession] = []
    private var sessionsStarted = 0
    private var owed: [Double] = [0, 0, 0, 0]

    /// A feed whose viewers start at random titles and positions; it holds one small record per viewer.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
        var random = SplitMix64(seed: configuration.seed)
        viewers = (0..<max(1, configuration.users)).map { _ in
            Viewer(
                movie: Int.random(in: 0..<max(1, configuration.movies), using: &random), position: Int64.random(in: 0..<600, using: &random)
            )
        }
        self.random = random
    }

    /// A title's length in seconds: 20 minutes to 2 hours, fixed per title.
    public static func duration(ofMovie index: Int) -> Int64 { 1200 + Int64(index * 7919 % 6000) }

    /// The events of the `seconds` that end at `nowMs`: 75% heartbeats, 15% ads, 5% watch events, 5% session entries.
    public mutating func tick(nowMs: Int64, seconds: Double) -> Tick {
        var tick = Tick()
        let shares = [0.75, 0.15, 0.05, 0.05]
        var counts = [0, 0, 0, 0]
        for kind in 0..<4 {
            owed[kind] += Double(configuration.rate) * shares[kind] * seconds
            counts[kind] = Int(owed[kind])
            owed[kind] -= Double(counts[kind])
        }
        for _ in 0..<counts[0] { tick.heartbeats.append(heartbeat(nowMs: nowMs)) }
        for _ in 0..<counts[1] {
            let user = Int.random(in: 1...viewers.count, using: &random)
            tick.ads.append(AdInteraction(user: "user_\(user)", click: Double.random(in: 0..<1, using: &random) < 0.1, timeMs: nowMs))
        }
        for _ in 0..<counts[2] {
            let index = Int.random(in: 0..<viewers.count, using: &random)
            let viewer = viewers[index]
            tick.watches.append(WatchEvent(user: "user_\(index + 1)", slug: "movie_\(viewer.movie + 1)", at: viewer.position))
        }
        sessionMessages(entries: counts[3], nowMs: nowMs, into: &tick)
        return tick
    }

    private mutating func heartbeat(nowMs: Int64) -> Heartbeat {
        let index = Int.random(in: 0..<viewers.count, using: &random)
        var viewer = viewers[index]
        let duration = Self.duration(ofMovie: viewer.movie)
        let watched = viewer.lastMs.map { max(0, nowMs - $0) / 1000 } ?? 10
        viewer.position = min(duration, viewer.position + max(1, min(watched, 60)))
        if Double.random(in: 0..<1, using: &random) < 0.02 { viewer.position = Int64.random(in: 0...duration, using: &random) }
        let late = Double.random(in: 0..<1, using: &random) < configuration.lateFraction
        let timeMs = late ? nowMs - Int64.random(in: 15_000...40_000, using: &random) : nowMs
        let beat = Heartbeat(
            userId: "user_\(index + 1)", movieId: "movie_\(viewer.movie + 1)", duration: duration, position: viewer.position,
            timestamp: Timestamp(millisecondsSinceEpoch: timeMs))
        viewer.lastMs = nowMs
        if viewer.position >= duration {
            viewer.movie = Int.random(in: 0..<max(1, configuration.movies), using: &random)
            viewer.position = 0
            viewer.lastMs = nil
        }
        viewers[index] = viewer
        return beat
    }

    private static let eventNames = ["play", "pause", "seek", "buffering", "quality_change", "resume"]

    /// Spends `entries` on open sessions (starting new ones when too few are open); each message is one entry.
    private mutating func sessionMessages(entries: Int, nowMs: Int64, into tick: inout Tick) {
        for _ in 0..<entries {
            if open.count < 3 || Double.random(in: 0..<1, using: &random) < 0.1 {
                sessionsStarted += 1
                let id = "s\(configuration.seed)-\(sessionsStarted)"
                open.append(
                    OpenSession(
                        id: id, remaining: Int.random(in: 3...20, using: &random), abandons: Double.random(in: 0..<1, using: &random) < 0.1)
                )
                tick.sessions.append(SessionMessage(id: id, body: Self.entry(type: "SESSION_START", id: id, name: nil, timeMs: nowMs)))
                tick.sessionEntries += 1
                continue
            }
            let slot = Int.random(in: 0..<open.count, using: &random)
            var session = open[slot]
            session.remaining -= 1
            if session.remaining > 0 {
                let name = Self.eventNames[Int.random(in: 0..<Self.eventNames.count, using: &random)]
                tick.sessions.append(SessionMessage(id: session.id, body: Self.entry(type: "EVENT", id: nil, name: name, timeMs: nowMs)))
                open[slot] = session
            } else {
                if !session.abandons {
                    tick.sessions.append(
                        SessionMessage(id: session.id, body: Self.entry(type: "SESSION_END", id: session.id, name: nil, timeMs: nowMs)))
                }
                open.remove(at: slot)
            }
            tick.sessionEntries += 1
        }
    }

    private static func entry(type: String, id: String?, name: String?, timeMs: Int64) -> [UInt8] {
        var json = JSONWriter(reservingCapacity: 96)
        json.beginArray()
        json.beginObject()
        json.member("type", type)
        if let id { json.member("session_id", id) }
        if let name { json.member("name", name) }
        json.member("timestamp", timeMs)
        json.endObject()
        json.endArray()
        return json.bytes
    }

    /// Heartbeats as NDJSON, one per line.
    public static func ndjson(_ heartbeats: [Heartbeat]) -> [UInt8] {
        var bytes: [UInt8] = []
        for heartbeat in heartbeats { HeartbeatGenerator.writeLine(heartbeat, into: &bytes) }
        return bytes
    }

    /// Watch events as NDJSON, one per line.
    public static func ndjson(_ watches: [WatchEvent]) -> [UInt8] {
        var bytes: [UInt8] = []
        for watch in watches {
            var json = JSONWriter(reservingCapacity: 64)
            json.beginObject()
            json.member("user", watch.user)
            json.member("slug", watch.slug)
            json.member("at", watch.at)
            json.endObject()
            bytes += json.bytes
            bytes.append(0x0A)
        }
        return bytes
    }
}
