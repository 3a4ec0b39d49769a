import Foundation
import Hummingbird
import HummingbirdTesting
import TallyCore
import TallyPipeline
import TallySQLite
import TallyServer
import Testing

/// Attacks on the running server, one test per attack in issue 15: each must cost the attacker's own input and
/// nothing else (no crash, no other user's data, no acknowledgement of what was not stored).
@Suite("Hardening: hostile clients against the real server")
struct HardeningTests {
    private static let at = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)

    private static func state(watch: Int64) -> PlaybackState {
        PlaybackState(position: 10, latestAt: at, lastSeenAt: at, maxPosition: 10, duration: nil, watchMilliseconds: watch, events: 9)
    }

    @Test func watchTimeAtTheLimitNeitherCrashesTheServerNorItsRestart() async throws {
        let directory = TemporaryDirectory()
        // Two viewers of one title and one viewer of two titles, each at the largest watch time a key can reach:
        // the sums overflowed 64 bits, at every start while loading and on every query.
        let store = try SQLiteEventStore(directory: directory.path)
        try await store.append(
            CommitBatch(states: [
                PlaybackKey(user: "a", content: "m"): Self.state(watch: .max),
                PlaybackKey(user: "b", content: "m"): Self.state(watch: .max - 1),
                PlaybackKey(user: "a", content: "n"): Self.state(watch: .max),
            ]))
        try await store.close()
        for _ in 0..<2 {
            try await withTally(directory: directory, testing: .live) { client in
                let movie = try await client.get("/movies/m/watch-time")
                #expect(movie.status == .ok)
                #expect((movie.json["watchTimeSeconds"] as? Double ?? 0) > 9.2e15)
                #expect(movie.json["viewers"] as? Int == 2)
                let user = try await client.get("/users/a/watch-time")
                #expect(user.status == .ok)
                let more = #"[{"user":"a","slug":"m","at":1000000000},{"user":"b","slug":"m","at":1000000000}]"#
                #expect(try await client.post("/events", more).status == .accepted)
                #expect(try await client.get("/movies/m/watch-time").status == .ok)
                #expect((try await client.get("/users/b/watch-time").json["watchTimeSeconds"] as? Double ?? 0) > 9.2e15)
            }
        }
    }

    @Test func aStoredNulIdIsQuarantinedAfterStartAndReportedInHealth() async throws {
        let directory = TemporaryDirectory()
        let store = try SQLiteEventStore(directory: directory.path)
        // What an earlier version stored for `"userId":"victim\u0000x"`: loaded, it became `victim`'s key.
        try await store.append(
            CommitBatch(states: [
                PlaybackKey(user: "victim", content: "m"): Self.state(watch: 5_000),
                PlaybackKey(user: "victim\u{0}x", content: "m"): Self.state(watch: 9_000_000),
            ]))
        try await store.close()
        try await withTally(directory: directory, testing: .live) { client in
            #expect(try await client.get("/users/victim/watch-time").json["watchTimeSeconds"] as? Int == 5)
            // The check runs beside the server, so start-up does not wait for it: ask until it has run.
            var health = try await client.get("/health")
            for _ in 0..<200 where health.json["status"] as? String != "degraded" {
                try await Task.sleep(for: .milliseconds(50))
                health = try await client.get("/health")
            }
            #expect(health.status == .ok)
            #expect(health.json["status"] as? String == "degraded")
            #expect(health.json["quarantined_rows"] as? Int == 1)
        }
    }

    @Test func controlCharactersInIdsAreRefusedAtEveryDoor() async throws {
        try await withTally(configuration: .fewUsers, testing: .live) { client in
            let victim = heartbeatJSON(user: "victim", position: 10, timestamp: "2023-11-14T22:13:20Z")
            #expect(try await client.post("/heartbeat", victim).status == .accepted)
            let attacks: [(path: String, body: String, field: String)] = [
                ("/heartbeat", heartbeatJSON(user: #"victim\u0000x"#, position: 900, timestamp: "2023-11-14T22:13:30Z"), "userId"),
                ("/heartbeat", heartbeatJSON(movie: #"movie_214\u0001"#, position: 900, timestamp: "2023-11-14T22:13:30Z"), "movieId"),
                ("/events", #"{"user":"victim\ud800","slug":"m","at":5}"#, "user"),
                ("/analytics?timestamp=1700000000000&user=victim%00x&click", "", "user"),
                ("/analytics?timestamp=1700000000000&user=%ZZ&click", "", "user"),
                ("/analytics?timestamp=1700000000000&user=%FF&click", "", "user"),
                ("/sessions/s%00x/events", message(entry("SESSION_START", 1, session: "s\\u0000x")), "id"),
                ("/sessions/s/events", message(entry("SESSION_START", 1, session: "s"), entry("EVENT", 2, name: "a\\u0007")), "name"),
            ]
            for attack in attacks {
                let response = try await client.post(attack.path, attack.body)
                #expect(response.status == .badRequest, "\(attack.path) \(attack.body)")
                #expect(response.errorObject["field"] as? String == attack.field, "\(attack.path): \(response.text)")
            }
            for path in [
                "/users/victim%00x/watch-time", "/users/v%ZZ/watch-time", "/users/%C3/resume", "/sessions/a%1Fb",
                "/movies/m%7F/watch-time", "/users/victim/movies/m%00/latest",
            ] {
                let response = try await client.get(path)
                #expect(response.status == .badRequest, "\(path)")
                #expect(response.errorObject["code"] as? String == "invalid_value", "\(path): \(response.text)")
            }
            let latest = try await client.get("/users/victim/movies/movie_214/latest")
            #expect(latest.json["position"] as? Int == 10)
        }
    }

    @Test func idsInURLsArePercentDecodedOnEveryRoute() async throws {
        let longest = String(repeating: "é", count: 128)  // 256 UTF-8 bytes: the default limit
        let users = ["Jürgen Müller", "a/b", "100%", "1+1", "x y+z%2F", longest]
        let encode: @Sendable (String) -> String = { $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
        try await withTally(configuration: .fewUsers, testing: .live) { client in
            for (index, user) in users.enumerated() {
                let slug = "Die Hard / 2 + 100% \(index)"
                let json = try String(
                    decoding: JSONSerialization.data(withJSONObject: ["user": user, "slug": slug, "at": 30]), as: UTF8.self)
                #expect(try await client.post("/events", json).status == .accepted)
                let u = encode(user)
                let s = encode(slug)
                let watch = try await client.get("/users/\(u)/watch-time")
                #expect(watch.json["userId"] as? String == user, "\(u): \(watch.text)")
                #expect(try await client.get("/movies/\(s)/watch-time").json["movieId"] as? String == slug)
                #expect(try await client.get("/users/\(u)/movies/\(s)/latest").json["movieId"] as? String == slug)
                #expect(try await client.get("/users/\(u)/continue-watching").json["userId"] as? String == user)
                let analytics = try await client.post("/analytics?timestamp=1700000000000&user=\(u)&click", "")
                #expect(analytics.status == .noContent)

                let session = user
                let posted = try await client.post(
                    "/sessions/\(encode(session))/events", message(entry("SESSION_START", 1, session: session)))
                #expect(posted.status == .accepted, "\(session): \(posted.text)")
                #expect(try await client.get("/sessions/\(encode(session))").json["start"] as? Int == 1)
            }
            #expect(try await client.get("/analytics?timestamp=1700000000000").text.hasPrefix("unique_users,\(users.count)\n"))
            let tooLong = try await client.get("/users/\(encode(longest + "e"))/watch-time")
            #expect(tooLong.status == .badRequest)
            #expect(tooLong.errorObject["code"] as? String == "too_long")

            // A resume window, read back by the decoded id.
            for second in [0, 10, 75] {
                let beat = try String(
                    decoding: JSONSerialization.data(withJSONObject: [
                        "userId": "Jürgen Müller", "movieId": "m", "duration": 100, "position": second,
                        "timestamp": ISO8601.format(
                            Timestamp(millisecondsSinceEpoch: 1_700_000_000_000 + Int64(second) * 1000), style: .zulu),
                    ]), as: UTF8.self)
                #expect(try await client.post("/heartbeat", beat).status == .accepted)
            }
            #expect(try await client.get("/users/\(encode("Jürgen Müller"))/resume").status == .ok)
        }
    }

    @Test func sessionAcknowledgementsMeanStoredUnderConcurrentSenders() async throws {
        try await withTally(testing: .live) { client in
            let port = client.port!
            let path = "/sessions/concurrent/events"
            #expect(
                try await client.post(path, #"{"seq":1,"entries":\#(message(entry("SESSION_START", 1, session: "concurrent")))}"#).status
                    == .accepted)
            let ahead = try await client.post(path, #"{"seq":9223372036854775807,"entries":\#(message(entry("EVENT", 2)))}"#)
            #expect(ahead.status == .conflict)
            #expect(ahead.errorObject["code"] as? String == "seq_gap")
            #expect(ahead.errorObject["message"] as? String == "seq 9223372036854775807 is ahead of this session: the next seq must be 2")
            // Eight senders share seqs 2…201; each resends on 409 until its message is taken, as a client would.
            let duplicates = try await withThrowingTaskGroup(of: Int.self) { group in
                for sender in 0..<8 {
                    group.addTask {
                        var duplicates = 0
                        for seq in stride(from: 2 + sender, through: 201, by: 8) {
                            while true {
                                let body = #"{"seq":\#(seq),"entries":\#(message(entry("EVENT", Int64(seq), name: "e\(seq)")))}"#
                                let (status, text) = try await LoopbackHTTP.send(port: port, method: "POST", path, body: body)
                                if status == 202 {
                                    if text.contains("duplicate") { duplicates += 1 }
                                    break
                                }
                                #expect(status == 409, "\(text)")
                                try await Task.sleep(for: .milliseconds(2))
                            }
                        }
                        return duplicates
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(duplicates == 0)
            let events = try await client.get("/sessions/concurrent/events?timeout=0")
            #expect(events.json["total"] as? Int == 201)
            let names = (events.json["entries"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names == (2...201).map { "e\($0)" })
            let resent = try await client.post(path, #"{"seq":7,"entries":\#(message(entry("EVENT", 7, name: "e7")))}"#)
            #expect(resent.json["duplicate"] as? Bool == true)
        }
    }
}
