import Hummingbird
import HummingbirdTesting
import TallyCore
import TallyPipeline
import TallyServer
import Testing

@Suite("Ad analytics endpoints")
struct AnalyticsEndpointTests {
    @Test func postThenGetTheHour() async throws {
        try await withTally { client in
            let hour = 1_700_002_800_000
            for (user, offset, flag) in [
                ("alice", 0, "click"), ("alice", 1, "impression"), ("bob", 3_599_999, "impression"), ("carol", -1, "click"),
            ] {
                let response = try await client.execute(uri: "/analytics?timestamp=\(hour + offset)&user=\(user)&\(flag)", method: .post)
                #expect(response.status == .noContent)
                #expect(response.body.readableBytes == 0)
            }
            let response = try await client.get("/analytics?timestamp=\(hour + 1234)")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(response.text == "unique_users,2\nclicks,1\nimpressions,2\n")
            #expect(try await client.get("/analytics?timestamp=\(hour - 1)").text == "unique_users,1\nclicks,1\nimpressions,0\n")
            #expect(try await client.get("/analytics?timestamp=0").text == "unique_users,0\nclicks,0\nimpressions,0\n")
        }
    }

    @Test(arguments: [
        ("/analytics?timestamp=1&user=a", "click"),
        ("/analytics?timestamp=1&user=a&click&impression", "impression"),
        ("/analytics?timestamp=abc&user=a&click", "timestamp"),
        ("/analytics?timestamp=1&click", "user"),
        ("/analytics?timestamp=1&user=a&clik", "clik"),
    ])
    func badPostIsA400NamingTheParameterAndStoresNothing(uri: String, field: String) async throws {
        try await withTally { client in
            let response = try await client.execute(uri: uri, method: .post)
            #expect(response.status == .badRequest)
            #expect(response.errorObject["field"] as? String == field)
            #expect(try await client.get("/analytics?timestamp=1").text == "unique_users,0\nclicks,0\nimpressions,0\n")
        }
    }

    @Test func badGetIsA400() async throws {
        try await withTally { client in
            for uri in ["/analytics", "/analytics?timestamp=-5", "/analytics?timestamp=1&user=a"] {
                let response = try await client.get(uri)
                #expect(response.status == .badRequest, "\(uri)")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            }
        }
    }

    @Test func storeDownIsA503() async throws {
        try await withTally(store: failingStore) { client in
            let post = try await client.execute(uri: "/analytics?timestamp=1&user=a&click", method: .post)
            #expect(post.status == .serviceUnavailable)
            let get = try await client.get("/analytics?timestamp=1")
            #expect(get.status == .serviceUnavailable)
        }
    }

    /// Concurrent POSTs from many connections: every acknowledged event is counted, each user once.
    @Test func concurrentPostsAreCountedExactly() async throws {
        try await withTally(testing: .live) { client in
            let port = client.port!
            let hour = 1_700_002_800_000
            let codes = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<200 {
                    group.addTask {
                        try await LoopbackHTTP.post(
                            port: port, "/analytics?timestamp=\(hour + i)&user=u\(i % 37)&\(i % 4 == 0 ? "click" : "impression")", "")
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(codes.allSatisfy { $0 == 204 })
            #expect(try await client.get("/analytics?timestamp=\(hour)").text == "unique_users,37\nclicks,50\nimpressions,150\n")
        }
    }

    /// The test server's clock is 2023-11-14T22:13:20Z: the default range is the 24 hours ending with 22:00.
    @Test func aRangeOfHoursIsOneJSONSeriesWithEveryHour() async throws {
        try await withTally { client in
            let now: Int64 = 1_700_000_000_000
            let hour = now - now % 3_600_000
            for (user, offset, flag) in [("a", 0, "click"), ("b", 1, "impression"), ("a", -3_600_000, "impression")]
                as [(String, Int64, String)]
            {
                let response = try await client.execute(uri: "/analytics?timestamp=\(now + offset)&user=\(user)&\(flag)", method: .post)
                #expect(response.status == .noContent)
            }
            let day = try await client.get("/analytics/hours")
            #expect(day.status == .ok)
            let hours = try #require(day.json["hours"] as? [[String: Any]])
            #expect(hours.count == 24)
            #expect(hours.last?["hour"] as? String == "2023-11-14T22:00:00Z")
            #expect(hours.last?["uniqueUsers"] as? Int == 2)
            #expect(hours.last?["clicks"] as? Int == 1)
            #expect(hours[22]["impressions"] as? Int == 1)
            #expect(hours.dropLast(2).allSatisfy { $0["uniqueUsers"] as? Int == 0 })
            let two = try await client.get("/analytics/hours?from=\(hour - 3_600_000)&to=\(hour)")
            #expect((two.json["hours"] as? [[String: Any]])?.count == 2)
            for bad in ["from=\(hour)&to=\(hour - 3_600_000)", "from=0&to=\(hour)", "from=x", "since=1"] {
                let response = try await client.get("/analytics/hours?\(bad)")
                #expect(response.status == .badRequest, "\(bad)")
            }
        }
    }
}
