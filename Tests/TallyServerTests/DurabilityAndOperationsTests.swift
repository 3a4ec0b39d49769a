import Foundation
import Hummingbird
import HummingbirdTesting
import TallyCore
import TallyPipeline
import TallySQLite
import TallyServer
import Testing

@Suite("Durability, concurrency and operations")
struct DurabilityAndOperationsTests {
    static let queries = [
        "/movies/m0/watch-time", "/movies/m1/watch-time", "/users/u3/watch-time", "/users/u3/movies/m1/latest",
        "/users/u3/continue-watching", "/users/w/watch-time",
    ]

    @Test func restartAnswersIdentically() async throws {
        let directory = TemporaryDirectory()
        let before = try await withTally(directory: directory) { client in
            for second in stride(from: 0, to: 120, by: 10) {
                let batch = (0..<8).map { user in
                    heartbeatJSON(
                        user: "u\(user)", movie: "m\(user % 2)", position: second + user,
                        timestamp: "2021-10-26T13:\(10 + second / 60):\(String(format: "%02d", second % 60))Z")
                }
                try await client.post("/heartbeats", "[" + batch.joined(separator: ",") + "]")
            }
            try await client.post("/", #"{"user":"w","slug":"m0","at":30}"#)
            var answers: [String] = []
            for path in Self.queries { answers.append(try await client.get(path).text) }
            return answers
        }
        let after = try await withTally(directory: directory) { client in
            var answers: [String] = []
            for path in Self.queries { answers.append(try await client.get(path).text) }
            return answers
        }
        #expect(before == after)
        #expect(before.allSatisfy { !$0.contains("error") })
    }

    @Test func twoHundredConcurrentRequestsAreAllStored() async throws {
        let directory = TemporaryDirectory()
        try await withTally(directory: directory, testing: .live) { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<200 {
                    group.addTask {
                        try await client.post("/", #"{"user":"u\#(i % 20)","slug":"s","at":1}"#).status
                    }
                }
                for try await status in group { #expect(status == .accepted) }
            }
            let movie = try await client.get("/movies/s/watch-time")
            #expect(movie.json["events"] as? Int == 200)
            #expect(movie.json["watchTimeSeconds"] as? Int == 200)
            #expect(movie.json["viewers"] as? Int == 20)
        }
        let store = try SQLiteEventStore(directory: directory.path)
        #expect(try await store.countEvents(.watch) == 200)
        try await store.close()
    }

    @Test func healthAndMetrics() async throws {
        try await withTally { client in
            let health = try await client.get("/health")
            #expect(health.status == .ok)
            #expect(health.text == "{\"status\":\"ok\",\"writes\":\"ok\",\"quarantined_rows\":0}\n")
            try await client.post("/heartbeat", heartbeatJSON(position: 1, timestamp: "2021-10-26T13:27:01Z"))
            try await client.post("/heartbeat", "{}")
            let metrics = try await client.get("/metrics")
            #expect(metrics.status == .ok)
            let text = metrics.text
            #expect(text.contains(#"tally_events_accepted_total{kind="heartbeat"}"#))
            #expect(text.contains(#"tally_events_rejected_total{kind="heartbeat",reason="invalid_fields"}"#))
            #expect(text.contains("tally_commit_batch_events_bucket"))
            #expect(text.contains("tally_commit_duration_seconds_bucket"))
            #expect(text.contains(#"hb_requests{http_route="/heartbeat",http_request_method="POST",http_response_status_code="202"}"#))
            #expect(text.contains(#"http_response_status_code="400""#))
        }
    }
}
