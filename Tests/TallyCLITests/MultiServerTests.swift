import Foundation
import TallyCore
import Testing

private let postgresURL = ProcessInfo.processInfo.environment["TALLY_TEST_POSTGRES_URL"]

/// Several `tally serve` processes on one PostgreSQL database, as an operator would run them: a seeded random mix
/// of ad and watch events goes to random servers from many concurrent clients, a fourth server starts halfway,
/// and then every server must answer every hour's analytics and every user's and movie's watch time exactly as
/// the test's own count of what was acknowledged.
@Suite(
    "Several servers on one PostgreSQL", .offCooperativePool, .serialized,
    .enabled(if: postgresURL != nil, "TALLY_TEST_POSTGRES_URL is not set; multi-server test skipped"))
struct MultiServerTests {
    /// Keys live in the shared database: one created or revoked with `tally keys --postgres` takes effect on every
    /// server within seconds.
    @Test func aKeyRevokedOnceIsRefusedByEveryServer() async throws {
        guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
        let schema = String(uniqueName("keys_"))
        let store = ["--postgres", postgresURL!, "--postgres-schema", schema]
        let basePort = Int.random(in: 20_000..<50_000)
        let servers = try (0..<2).map {
            try TallyProcess(binary: binary, port: basePort + $0, dataDir: "/nonexistent", extra: store + ["--auth", "required"])
        }
        defer { for server in servers { server.kill(signal: SIGKILL) } }
        for server in servers { try await server.waitUntilHealthy() }
        let created = try TallyBinary.run(["keys", "create", "--scope", "ingest"] + store)
        #expect(created.status == 0, "\(created.stderr)")
        let key = try #require(KeysCommandTests.key(in: created.stdout))
        func statuses(until wanted: Int) async throws -> [Int] {
            var answers = [0, 0]
            for _ in 0..<50 where answers != [wanted, wanted] {
                for (index, server) in servers.enumerated() {
                    answers[index] = try await KeysCommandTests.post(port: server.port, key: key)
                }
                if answers != [wanted, wanted] { try await Task.sleep(for: .milliseconds(200)) }
            }
            return answers
        }
        #expect(try await statuses(until: 202) == [202, 202])
        #expect(try TallyBinary.run(["keys", "revoke", String(key.dropFirst(6).prefix(16))] + store).status == 0)
        #expect(try await statuses(until: 401) == [401, 401])
        let listed = try TallyBinary.run(["keys", "list"] + store)
        let row = listed.stdout.split(separator: "\n").first { $0.hasPrefix(key.dropFirst(6).prefix(16)) }
        #expect(row?.split(separator: "\t")[3] != "-", "last use saved in the shared table")
    }

    @Test func serversAgreeWithAnExactCount() async throws {
        guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
        let schema = uniqueName("multi_")
        let basePort = Int.random(in: 20_000..<50_000)
        func start(_ index: Int) throws -> TallyProcess {
            try TallyProcess(
                binary: binary, port: basePort + index, dataDir: "/nonexistent",
                extra: ["--postgres", postgresURL!, "--postgres-schema", String(schema)])
        }
        var servers = [try start(0), try start(1), try start(2)]
        for server in servers { try await server.waitUntilHealthy() }

        var plan = MixedLoad(seed: 20_261_123, now: Int64(Date().timeIntervalSince1970 * 1000))
        let requests = plan.requests(count: 1_600)
        let half = requests.count / 2
        let firstPorts = servers.map(\.port)
        try await MixedLoad.send(requests[..<half], ports: firstPorts, concurrency: 16, seed: 1)
        let late = try start(3)
        try await late.waitUntilHealthy()
        servers.append(late)
        try await MixedLoad.send(requests[half...], ports: servers.map(\.port), concurrency: 16, seed: 2)

        let expected = MixedLoad.Expected(requests)
        for server in servers {
            for (hour, text) in expected.analytics {
                let probe = hour + Int64.random(in: 0..<3_600_000)
                let answer = try await LoopbackHTTP.text(port: server.port, "/analytics?timestamp=\(probe)")
                #expect(answer == text, "server \(server.port), hour \(hour)")
            }
            for (user, seconds) in expected.userSeconds {
                let json = try await LoopbackHTTP.json(port: server.port, "/users/\(user)/watch-time")
                #expect((json["watchTimeSeconds"] as? NSNumber)?.int64Value == seconds, "server \(server.port), user \(user)")
            }
            for (movie, totals) in expected.movies {
                let json = try await LoopbackHTTP.json(port: server.port, "/movies/\(movie)/watch-time")
                #expect((json["watchTimeSeconds"] as? NSNumber)?.int64Value == totals.seconds, "server \(server.port), movie \(movie)")
                #expect((json["viewers"] as? NSNumber)?.intValue == totals.viewers, "server \(server.port), movie \(movie)")
            }
        }
        for server in servers {
            server.kill(signal: SIGTERM)
            #expect(server.wait() == 0)
        }
    }

    /// Every event a server acknowledged is in PostgreSQL when the server is killed with SIGKILL: another server
    /// started afterwards counts at least as many.
    @Test func acknowledgedEventsSurviveKillNine() async throws {
        guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
        let schema = uniqueName("kill_")
        let port = Int.random(in: 20_000..<50_000)
        let arguments = ["--postgres", postgresURL!, "--postgres-schema", String(schema)]
        let server = try TallyProcess(binary: binary, port: port, dataDir: "/nonexistent", extra: arguments)
        try await server.waitUntilHealthy()
        let acked = try await ProcessLifecycleTests.sendWhile(port: port, seconds: 0.6) { server.kill(signal: SIGKILL) }
        #expect(acked > 0)
        server.wait()
        let other = try TallyProcess(binary: binary, port: port + 1, dataDir: "/nonexistent", extra: arguments)
        try await other.waitUntilHealthy()
        #expect(try await ProcessLifecycleTests.storedEvents(port: port + 1) >= acked)
        other.kill(signal: SIGTERM)
        #expect(other.wait() == 0)
    }
}

/// A seeded mix of requests and the exact answers they must produce.
struct MixedLoad {
    enum Request: Sendable {
        case ad(timestamp: Int64, user: String, click: Bool)
        case watch(user: String, movie: String, seconds: Int64)
    }

    var rng: SplitMix64
    let now: Int64

    init(seed: UInt64, now: Int64) {
        rng = SplitMix64(seed: seed)
        self.now = now
    }

    /// 80% ad events (95% in the current hour, 5% in the four hours before it), 20% watch events.
    mutating func requests(count: Int) -> [Request] {
        let currentHour = now - now % 3_600_000
        return (0..<count).map { _ in
            if Int.random(in: 0..<10, using: &rng) < 8 {
                let past = Int.random(in: 0..<100, using: &rng) < 5
                let hour = past ? currentHour - Int64.random(in: 1...4, using: &rng) * 3_600_000 : currentHour
                return .ad(
                    timestamp: hour + Int64.random(in: 0..<3_600_000, using: &rng),
                    user: "user\(Int.random(in: 0..<150, using: &rng))", click: Bool.random(using: &rng))
            }
            return .watch(
                user: "viewer\(Int.random(in: 0..<12, using: &rng))", movie: "movie\(Int.random(in: 0..<5, using: &rng))",
                seconds: Int64.random(in: 1...60, using: &rng))
        }
    }

    /// Sends every request to a random server, `concurrency` at a time; any status but success fails the test.
    static func send(_ requests: ArraySlice<Request>, ports: [Int], concurrency: Int, seed: UInt64) async throws {
        var rng = SplitMix64(seed: seed)
        let assigned = requests.map { ($0, ports.randomElement(using: &rng)!) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                let mine = assigned.enumerated().filter { $0.offset % concurrency == worker }.map(\.element)
                group.addTask {
                    for (request, port) in mine {
                        let status: Int
                        switch request {
                        case .ad(let timestamp, let user, let click):
                            status = try await LoopbackHTTP.post(
                                port: port, "/analytics?timestamp=\(timestamp)&user=\(user)&\(click ? "click" : "impression")", "")
                            #expect(status == 204)
                        case .watch(let user, let movie, let seconds):
                            status = try await LoopbackHTTP.post(
                                port: port, "/events", #"{"user":"\#(user)","slug":"\#(movie)","at":\#(seconds)}"#)
                            #expect(status == 202)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// The answers computed directly from the requests.
    struct Expected {
        var analytics: [Int64: String] = [:]
        var userSeconds: [String: Int64] = [:]
        var movies: [String: (seconds: Int64, viewers: Int)] = [:]

        init(_ requests: [Request]) {
            var users: [Int64: Set<String>] = [:]
            var clicks: [Int64: Int] = [:]
            var impressions: [Int64: Int] = [:]
            var viewers: [String: Set<String>] = [:]
            for request in requests {
                switch request {
                case .ad(let timestamp, let user, let click):
                    let hour = timestamp - timestamp % 3_600_000
                    users[hour, default: []].insert(user)
                    if click { clicks[hour, default: 0] += 1 } else { impressions[hour, default: 0] += 1 }
                case .watch(let user, let movie, let seconds):
                    userSeconds[user, default: 0] += seconds
                    movies[movie, default: (0, 0)].seconds += seconds
                    viewers[movie, default: []].insert(user)
                }
            }
            for (hour, set) in users {
                analytics[hour] = "unique_users,\(set.count)\nclicks,\(clicks[hour] ?? 0)\nimpressions,\(impressions[hour] ?? 0)\n"
            }
            for (movie, set) in viewers { movies[movie]?.viewers = set.count }
        }
    }
}
