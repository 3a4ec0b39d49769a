import Foundation
import Testing

@testable import TallyServer

/// `GET /movies/top`: titles ranked by watch time over a range of event time, from the heartbeat log.
@Suite("Top titles over a range")
struct TopContentEndpointTests {
    /// Heartbeats every 10 s at positions that advance 10 s: `count` heartbeats count (count − 1) × 10 s.
    static func watching(_ user: String, _ movie: String, from second: Int, count: Int) -> String {
        (0..<count).map { i in
            heartbeatJSON(
                user: user, movie: movie, duration: 3600, position: 10 * i,
                timestamp:
                    "2023-11-14T22:\(String(format: "%02d", (second + 10 * i) / 60)):\(String(format: "%02d", (second + 10 * i) % 60))Z")
        }.joined(separator: "\n")
    }

    static let start: Int64 = 1_699_999_200_000  // 2023-11-14T22:00:00Z

    @Test func titlesAreRankedByWatchTimeInsideTheRange() async throws {
        try await withTally { client in
            let body = [
                Self.watching("a", "m1", from: 0, count: 4), Self.watching("b", "m1", from: 0, count: 2),
                Self.watching("c", "m2", from: 60, count: 3), Self.watching("d", "m3", from: 600, count: 5),
            ].joined(separator: "\n")
            #expect(try await client.post("/heartbeats", body, contentType: "application/x-ndjson").status == .accepted)

            let all = try await client.get("/movies/top?from=\(Self.start)&to=\(Self.start + 300_000)").json
            let movies = all["movies"] as? [[String: Any]] ?? []
            #expect(movies.map { $0["movieId"] as? String } == ["m1", "m2"])
            #expect(movies.map { $0["watchTimeSeconds"] as? Double } == [40, 20])
            #expect(movies.map { $0["viewers"] as? Int } == [2, 1])
            #expect(movies.map { $0["events"] as? Int } == [6, 3])
            #expect(all["heartbeats"] as? Int == 9)
            #expect(all["from"] as? String == "2023-11-14T22:00:00Z")

            // A range that starts after a's second heartbeat counts only the pairs inside it.
            let later = try await client.get("/movies/top?from=\(Self.start + 15_000)&to=\(Self.start + 300_000)&limit=1").json
            let top = (later["movies"] as? [[String: Any]])?.first
            #expect(top?["movieId"] as? String == "m2" && top?["watchTimeSeconds"] as? Double == 20)
            #expect((later["movies"] as? [Any])?.count == 1)

            // By default the 24 hours ending now (the test clock's 2023-11-14T22:13:20Z): m3 too, which ties m1's
            // 40 s with one viewer to m1's two.
            let recent = try await client.get("/movies/top").json
            #expect((recent["movies"] as? [[String: Any]])?.map { $0["movieId"] as? String } == ["m1", "m3", "m2"])
        }
    }

    @Test func badRangesAreRefusedNamingTheParameter() async throws {
        try await withTally { client in
            for (query, field) in [
                ("from=2&to=1", "from"), ("limit=0", "limit"), ("limit=101", "limit"), ("from=x", "from"),
                ("from=0&to=2678400001", "from"), ("top=1", "top"), ("from=1&from=2", "from"),
            ] {
                let response = try await client.get("/movies/top?\(query)")
                #expect(response.status == .badRequest, "\(query)")
                #expect(response.errorObject["field"] as? String == field, "\(query): \(response.text)")
            }
        }
    }

    @Test func aRangeThatWouldReadTooMuchIsRefusedBeforeReading() async throws {
        var configuration = ServerConfiguration()
        configuration.topContentMaxHeartbeats = 3
        try await withTally(configuration: configuration) { client in
            #expect(
                try await client.post("/heartbeats", Self.watching("a", "m1", from: 0, count: 4), contentType: "application/x-ndjson")
                    .status == .accepted)
            let refused = try await client.get("/movies/top?from=\(Self.start)")
            #expect(refused.status == .badRequest)
            #expect(refused.errorObject["field"] as? String == "from")
            #expect((refused.errorObject["message"] as? String)?.contains("4 stored heartbeats") == true, "\(refused.text)")
            #expect(try await client.get("/movies/top?from=\(Self.start + 700_000)").status == .ok)
        }
    }
}

@Suite("Concurrency gate")
struct ConcurrencyGateTests {
    @Test func refusesBeyondItsLimitAndTakesCallersBackWhenPlacesFree() {
        let gate = ConcurrencyGate(limit: 2)
        #expect(gate.enter() && gate.enter())
        #expect(!gate.enter())
        gate.leave()
        #expect(gate.enter())
        #expect(!gate.enter())
        gate.leave()
        gate.leave()
        gate.leave()
        #expect(gate.enter() && gate.enter() && !gate.enter())
    }
}
