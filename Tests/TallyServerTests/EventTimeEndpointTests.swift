import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TallyCore
import TallyPipeline
import TallyServer
import Testing

/// The server guards its event clock: times from the far future are refused, a client with a bad clock cannot
/// move other users' windows, and windows close when heartbeats stop.
@Suite("Event time in the server")
struct EventTimeEndpointTests {
    @Test func heartbeatsAndAdsFarAheadOfTheServersClockAreRefusedNamingTheTimestamp() async throws {
        // The test clock reads 2023-11-14T22:13:20Z; the default limit is one day ahead of it.
        try await withTally { client in
            let single = try await client.post("/heartbeat", heartbeatJSON(position: 1, timestamp: "9999-12-31T23:59:59Z"))
            #expect(single.status == .badRequest)
            #expect(single.errorObject["field"] as? String == "timestamp")
            #expect(single.errorObject["code"] as? String == "invalid_value")
            #expect((single.errorObject["message"] as? String)?.contains("more than 1d ahead") == true)
            let batch = try await client.post(
                "/heartbeats",
                [
                    heartbeatJSON(user: "fine", position: 1, timestamp: "2023-11-14T22:00:00Z"),
                    heartbeatJSON(user: "fine", position: 2, timestamp: "2023-11-16T00:00:00Z"),
                ].joined(separator: "\n"))
            #expect(batch.status == .badRequest)
            #expect(batch.text.contains(#""index":1"#))
            #expect(try await client.get("/users/fine/watch-time").status == .notFound)  // all or nothing
            // Inside the limit, and any past time, are accepted.
            #expect(try await client.post("/heartbeat", heartbeatJSON(position: 1, timestamp: "2023-11-15T20:00:00Z")).status == .accepted)
            #expect(try await client.post("/heartbeat", heartbeatJSON(position: 1, timestamp: "1999-01-01T00:00:00Z")).status == .accepted)
            let ahead = 1_700_000_000_000 + 2 * 86_400_000
            let ad = try await client.post("/analytics?timestamp=\(ahead)&user=u&click", "")
            #expect(ad.status == .badRequest)
            #expect(ad.errorObject["field"] as? String == "timestamp")
            #expect(try await client.post("/analytics?timestamp=1700000000000&user=u&click", "").status == .noContent)
        }
    }

    @Test func aClientWithABadClockDoesNotMoveOtherUsersWindows() async throws {
        try await withTally { client in
            let users = (1...5).map { "user_\($0)" }
            var beats: [String] = []
            for second in stride(from: 0, to: 90, by: 10) {
                for user in users {
                    beats.append(
                        heartbeatJSON(
                            user: user, position: second,
                            timestamp: "2021-10-26T13:27:\(String(format: "%02d", second % 60))Z"
                                .replacingOccurrences(of: "13:27", with: second < 60 ? "13:27" : "13:28")))
                }
            }
            // Four hours fast, within --max-clock-skew: accepted, but held aside, never corroborated.
            beats.insert(heartbeatJSON(user: "mallory", position: 1, timestamp: "2021-10-26T17:27:00Z"), at: 3)
            #expect(try await client.post("/heartbeats", beats.joined(separator: "\n")).status == .accepted)
            let latest = try await client.get("/users/user_1/resume")
            #expect(latest.status == .ok)
            #expect(latest.headers[.tallyWindowStart] == "2021-10-26T13:27:00Z")
            // Without the clock's rule, mallory's heartbeat would have closed the 13:27 window after user_1's first
            // heartbeat and dropped every later one as too late.
            #expect(latest.text.contains(#""position":50"#))
            #expect(try await client.get("/users/mallory/resume").status == .notFound)
        }
    }

    @Test func windowsCloseWhenHeartbeatsStop() async throws {
        var configuration = ServerConfiguration()
        configuration.resume.idleTimeout = .seconds(1)
        configuration.resume.lateness = .seconds(1)
        try await withTally(configuration: configuration, testing: .live) { client in
            // One user only: the clock trusts it once the stream is idle, then follows the wall clock.
            #expect(
                try await client.post("/heartbeat", heartbeatJSON(user: "solo", position: 5, timestamp: "2021-10-26T13:27:58Z")).status
                    == .accepted)
            var status = HTTPResponse.Status.notFound
            for _ in 0..<40 where status != .ok {
                try await Task.sleep(for: .milliseconds(250))
                status = try await client.get("/users/solo/resume").status
            }
            #expect(status == .ok)
        }
    }
}
