import Foundation
import HummingbirdTesting
import Synchronization
import Testing

@testable import TallyPipeline

@Suite("Ingest stats")
struct IngestStatsTests {
    @Test func theLastSecondsCountEveryKindCommitsAndErrors() async throws {
        try await withTally { client in
            try await client.post(
                "/heartbeats",
                heartbeatJSON(user: "a", position: 1, timestamp: "2023-11-14T22:13:00Z") + "\n"
                    + heartbeatJSON(user: "b", position: 1, timestamp: "2023-11-14T22:13:01Z"),
                contentType: "application/x-ndjson")
            try await client.post("/events", #"{"user":"a","slug":"m","at":5}"#)
            _ = try await client.execute(uri: "/analytics?timestamp=1700000000000&user=a&click", method: .post)
            try await client.post(
                "/sessions/s/events",
                #"[{"type":"SESSION_START","session_id":"s","timestamp":1},{"type":"EVENT","name":"x","timestamp":2}]"#)
            try await client.post("/heartbeat", "{")
            let response = try await client.get("/stats/ingest?seconds=10")
            #expect(response.status == .ok)
            let events = try #require(response.json["events"] as? [String: [Int]])
            #expect(events["heartbeat"]?.reduce(0, +) == 2)
            #expect(events["watch"]?.reduce(0, +) == 1)
            #expect(events["ad"]?.reduce(0, +) == 1)
            #expect(events["session"]?.reduce(0, +) == 2)
            #expect(events["heartbeat"]?.count == 10)
            #expect((response.json["commits"] as? [Int])?.reduce(0, +) ?? 0 >= 1)
            #expect((response.json["committedEvents"] as? [Int])?.reduce(0, +) == 6)
            #expect((response.json["errors"] as? [String: Int])?["malformed_json"] == 1)
            #expect(try await client.get("/stats/ingest?seconds=301").status == .badRequest)
        }
    }

    @Test func secondsThatPassedReadAsZero() {
        let now = Mutex<Int64>(1_700_000_000_000)
        let stats = IngestStats(clock: { now.withLock { $0 } })
        stats.recordCommit(heartbeats: 5, watches: 0, ads: 0, sessionEntries: 0)
        now.withLock { $0 += 2_000 }
        stats.recordCommit(heartbeats: 1, watches: 0, ads: 0, sessionEntries: 0)
        #expect(stats.snapshot(seconds: 3).events["heartbeat"] == [5, 0, 1])
        // A bucket reused 300 s later holds only the new second.
        now.withLock { $0 += 300_000 }
        stats.recordCommit(heartbeats: 2, watches: 0, ads: 0, sessionEntries: 0)
        #expect(stats.snapshot(seconds: 300).events["heartbeat"]?.reduce(0, +) == 2)
    }
}
