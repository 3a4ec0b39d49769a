import Foundation
import Synchronization
import Testing

/// The durability promise under the worst ordinary fault: 60 s of mixed traffic (heartbeats, watch events, session
/// messages, ad events from 16 clients) with `kill -9` every 10 s. Every acknowledged write must be there after
/// the last restart, and nothing may be there twice (never more than was sent).
@Suite("Mixed load with kill -9", .offCooperativePool, .serialized)
struct MixedLoadKillTests {
    /// What one kind of client sent and had acknowledged, over all of the server's lives.
    final class Tally: Sendable {
        private let counts = Mutex((sent: 0, acked: 0))
        func sent(_ n: Int = 1) { counts.withLock { $0.sent += n } }
        func acked(_ n: Int = 1) { counts.withLock { $0.acked += n } }
        var sent: Int { counts.withLock { $0.sent } }
        var acked: Int { counts.withLock { $0.acked } }
    }

    /// Per heartbeat client: the next batch number and the highest acknowledged position.
    final class HeartbeatClient: Sendable {
        let state = Mutex((next: 0, maxAcked: -1))
    }

    /// Distinct event names for the session, over all clients and lives.
    final class Names: Sendable {
        private let last = Mutex(0)
        func next() -> Int {
            last.withLock {
                $0 += 1
                return $0
            }
        }
        var issued: Int { last.withLock { $0 } }
    }

    static let lives = 6
    static let life: Duration = .seconds(10)

    @Test func sixtySecondsOfMixedLoadWithKillNineEveryTenSecondsLosesNothing() async throws {
        guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
        let data = TemporaryDirectory()
        let port = Int.random(in: 20_000..<60_000)
        let heartbeats = Tally()
        let watches = Tally()
        let entries = Tally()
        let clicks = Tally()
        let heartbeatClients = (0..<4).map { _ in HeartbeatClient() }
        let names = Names()
        var kills = 0
        for _ in 0..<Self.lives {
            let server = try TallyProcess(binary: binary, port: port, dataDir: data.path)
            try await server.waitUntilHealthy()
            if names.issued == 0 {
                #expect(
                    try await LoopbackHTTP.post(
                        port: port, "/sessions/mix/events", #"[{"type":"SESSION_START","session_id":"mix","timestamp":1}]"#) == 202)
            }
            let deadline = ContinuousClock.now + Self.life
            await withTaskGroup(of: Void.self) { group in
                for (c, client) in heartbeatClients.enumerated() {
                    group.addTask {
                        await Self.sendHeartbeats(port: port, user: "h\(c)", client: client, tally: heartbeats, until: deadline)
                    }
                }
                for c in 0..<4 {
                    group.addTask {
                        await Self.send(port: port, tally: watches, until: deadline) { _ in
                            ("/events", #"{"user":"w\#(c)","slug":"mix","at":1}"#)
                        }
                    }
                    group.addTask {
                        await Self.send(port: port, tally: entries, until: deadline) { _ in
                            ("/sessions/mix/events", #"[{"type":"EVENT","name":"e\#(names.next())","timestamp":2}]"#)
                        }
                    }
                    group.addTask {
                        await Self.send(port: port, tally: clicks, until: deadline) { i in
                            ("/analytics?timestamp=\(1_700_002_800_000 + i % 3_000_000)&user=a\(c)-\(i)&click", "")
                        }
                    }
                }
                group.addTask {
                    try? await Task.sleep(until: deadline)
                    server.kill(signal: SIGKILL)
                }
            }
            #expect(server.wait() == 128 + SIGKILL)
            kills += 1
        }
        #expect(kills == Self.lives)

        let restarted = try TallyProcess(binary: binary, port: port, dataDir: data.path)
        try await restarted.waitUntilHealthy()
        for tally in [heartbeats, watches, entries, clicks] { #expect(tally.acked > 100, "too little load to prove anything") }
        // Requests in flight at a kill may have committed without their ack arriving: between acked and sent.
        let heartbeatEvents = try await LoopbackHTTP.json(port: port, "/movies/hb/watch-time")["events"] as? Int ?? -1
        #expect(
            (heartbeats.acked...heartbeats.sent).contains(heartbeatEvents),
            "heartbeats: \(heartbeats.acked) acked, \(heartbeats.sent) sent, \(heartbeatEvents) stored")
        for (c, client) in heartbeatClients.enumerated() {
            let position = try await LoopbackHTTP.json(port: port, "/users/h\(c)/movies/hb/latest")["position"] as? Int ?? -1
            #expect(position >= client.state.withLock { $0.maxAcked }, "user h\(c)'s latest position went back")
        }
        let watchEvents = try await LoopbackHTTP.json(port: port, "/movies/mix/watch-time")["events"] as? Int ?? -1
        #expect(
            (watches.acked...watches.sent).contains(watchEvents),
            "watch events: \(watches.acked) acked, \(watches.sent) sent, \(watchEvents) stored")
        let total = try await LoopbackHTTP.json(port: port, "/sessions/mix/events?after=0&timeout=0")["total"] as? Int ?? -1
        #expect(
            (entries.acked + 1...entries.sent + 1).contains(total),
            "session: \(entries.acked) acked, \(entries.sent) sent, \(total - 1) stored")
        let analytics = try await LoopbackHTTP.text(port: port, "/analytics?timestamp=1700002800000")
        let stored = analytics.split(separator: "\n").first { $0.hasPrefix("clicks,") }.flatMap { Int($0.dropFirst(7)) } ?? -1
        #expect((clicks.acked...clicks.sent).contains(stored), "clicks: \(clicks.acked) acked, \(clicks.sent) sent, \(stored) stored")
        print(
            "mixed load, \(kills) kills: heartbeats \(heartbeats.acked)/\(heartbeatEvents)/\(heartbeats.sent), watch events \(watches.acked)/\(watchEvents)/\(watches.sent), session entries \(entries.acked)/\(total - 1)/\(entries.sent), clicks \(clicks.acked)/\(stored)/\(clicks.sent) (acked/stored/sent)"
        )
        restarted.kill(signal: SIGTERM)
        #expect(restarted.wait() == 0)
    }

    /// Posts until the deadline or the kill; a 503 (overloaded) is retried, any other refusal stops the client.
    static func send(port: Int, tally: Tally, until deadline: ContinuousClock.Instant, request: @Sendable (Int) -> (String, String)) async {
        var i = 0
        while ContinuousClock.now < deadline {
            let (path, body) = request(i)
            i += 1
            tally.sent()
            guard let status = try? await LoopbackHTTP.post(port: port, path, body) else { return }
            if status == 202 || status == 204 {
                tally.acked()
            } else if status != 503 {
                Issue.record("\(path) answered \(status)")
                return
            }
        }
    }

    /// Batches of 10 heartbeats with rising positions and timestamps, so the latest position only grows.
    static func sendHeartbeats(port: Int, user: String, client: HeartbeatClient, tally: Tally, until deadline: ContinuousClock.Instant)
        async
    {
        while ContinuousClock.now < deadline {
            let batch = client.state.withLock { state -> Int in
                defer { state.next += 1 }
                return state.next
            }
            let beats = (0..<10).map { k -> String in
                let position = batch * 10 + k
                let time = Date(timeIntervalSince1970: 1_635_254_400 + Double(position)).formatted(.iso8601)
                return #"{"userId":"\#(user)","movieId":"hb","duration":100000000,"position":\#(position),"timestamp":"\#(time)"}"#
            }
            tally.sent(10)
            guard let status = try? await LoopbackHTTP.post(port: port, "/heartbeats", "[" + beats.joined(separator: ",") + "]") else {
                return
            }
            if status == 202 {
                tally.acked(10)
                client.state.withLock { $0.maxAcked = max($0.maxAcked, batch * 10 + 9) }
            } else if status != 503 {
                Issue.record("/heartbeats answered \(status)")
                return
            }
        }
    }
}
