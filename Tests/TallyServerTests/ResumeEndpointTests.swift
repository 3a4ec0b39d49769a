import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TallyCore
import TallyPipeline
import TallyServer
import Testing

@Suite("Resume endpoints")
struct ResumeEndpointTests {
    static func beats(_ rows: [(String, String, Int, String)]) -> String {
        rows.map { heartbeatJSON(user: $0.0, movie: $0.1, position: $0.2, timestamp: $0.3) }.joined(separator: "\n")
    }

    @Test func latestClosedWindowAndAGivenWindow() async throws {
        try await withTally(configuration: .fewUsers) { client in
            try await client.post(
                "/heartbeats",
                Self.beats([
                    ("user_987", "movie_214", 3000, "2021-10-26T13:27:01+0000"),
                    ("user_987", "movie_007", 250, "2021-10-26T13:27:31+0000"),
                    ("user_987", "movie_214", 100, "2021-10-26T13:28:05Z"),
                ]))
            #expect(try await client.get("/users/user_987/resume").status == .notFound)
            // 13:28:15 moves the watermark (10 s lateness) to 13:28:05: the 13:27 window is complete.
            try await client.post("/heartbeat", heartbeatJSON(user: "other", position: 1, timestamp: "2021-10-26T13:28:15Z"))
            let latest = try await client.get("/users/user_987/resume")
            #expect(latest.status == .ok)
            #expect(
                latest.text
                    == #"[{"userId":"user_987","movieId":"movie_214","position":3000,"timestamp":"2021-10-26T13:27:01+0000"},{"userId":"user_987","movieId":"movie_007","position":250,"timestamp":"2021-10-26T13:27:31+0000"}]"#
                    + "\n")
            #expect(latest.headers[.tallyWindowStart] == "2021-10-26T13:27:00Z")
            let given = try await client.get("/users/user_987/resume?window=2021-10-26T13:27:00Z")
            #expect(given.text == latest.text)
            #expect(try await client.get("/users/user_987/resume?window=2021-10-26T13:26:00Z").status == .notFound)
            let misaligned = try await client.get("/users/user_987/resume?window=2021-10-26T13:27:30Z")
            #expect(misaligned.status == .badRequest)
            #expect(misaligned.errorObject["field"] as? String == "window")
            #expect(try await client.get("/users/user_987/resume?window=soon").status == .badRequest)
        }
    }

    @Test func lateHeartbeatRevisesTheStoredWindow() async throws {
        try await withTally(configuration: .fewUsers) { client in
            try await client.post(
                "/heartbeats",
                Self.beats([
                    ("u", "m", 10, "2021-10-26T13:27:10Z"), ("u", "m", 20, "2021-10-26T13:28:30Z"),
                ]))
            #expect(try await client.get("/users/u/resume").headers[.tallyRevision] == "0")
            try await client.post("/heartbeat", heartbeatJSON(user: "u", movie: "m", position: 15, timestamp: "2021-10-26T13:27:50Z"))
            let revised = try await client.get("/users/u/resume?window=2021-10-26T13:27:00Z")
            #expect(revised.headers[.tallyRevision] == "1")
            #expect(revised.text.contains(#""position":15"#))
            let metrics = try await client.get("/metrics").text
            #expect(metrics.contains(#"tally_resume_late_events_total{outcome="revised"}"#))
            #expect(metrics.contains("tally_resume_windows_closed_total"))
        }
    }

    @Test func restartServesTheSameWindowsAndKeepsOpenOnes() async throws {
        let directory = TemporaryDirectory()
        let before = try await withTally(directory: directory, configuration: .fewUsers) { client in
            try await client.post(
                "/heartbeats",
                Self.beats([
                    ("u", "m", 10, "2021-10-26T13:27:10Z"), ("u", "m", 20, "2021-10-26T13:28:30Z"),
                    ("u", "n", 5, "2021-10-26T13:28:40Z"),
                ]))
            return try await client.get("/users/u/resume").text
        }
        try await withTally(directory: directory, configuration: .fewUsers) { client in
            #expect(try await client.get("/users/u/resume").text == before)
            // The 13:28 window was open at the restart; its heartbeats were replayed from the log.
            try await client.post("/heartbeat", heartbeatJSON(user: "x", position: 1, timestamp: "2021-10-26T13:29:30Z"))
            let next = try await client.get("/users/u/resume")
            #expect(next.headers[.tallyWindowStart] == "2021-10-26T13:28:00Z")
            #expect(
                next.text
                    == #"[{"userId":"u","movieId":"m","position":20,"timestamp":"2021-10-26T13:28:30+0000"},{"userId":"u","movieId":"n","position":5,"timestamp":"2021-10-26T13:28:40+0000"}]"#
                    + "\n")
        }
    }

    @Test func anUnknownStreamFormatIsRefused() async throws {
        try await withTally { client in
            let response = try await client.get("/resume/stream?format=csv")
            #expect(response.status == .badRequest)
            #expect(response.errorObject["field"] as? String == "format")
        }
    }
}
