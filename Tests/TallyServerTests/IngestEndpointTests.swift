import Foundation
import Hummingbird
import HummingbirdTesting
import TallyCore
import TallyPipeline
import TallyServer
import Testing

@Suite("Ingest endpoints")
struct IngestEndpointTests {
    @Test func heartbeatIsAcceptedAndAnswered() async throws {
        try await withTally { client in
            let response = try await client.post("/heartbeat", heartbeatJSON(position: 3000, timestamp: "2021-10-26T13:27:01+0000"))
            #expect(response.status == .accepted)
            #expect(response.text == "{\"accepted\":1}\n")
            try await client.post("/heartbeat", heartbeatJSON(position: 3010, timestamp: "2021-10-26T13:27:11Z"))
            let latest = try await client.get("/users/user_987/movies/movie_214/latest")
            #expect(latest.status == .ok)
            #expect(
                latest.text
                    == #"{"userId":"user_987","movieId":"movie_214","position":3010,"maxPosition":3010,"duration":3097,"completion":0.9719,"at":"2021-10-26T13:27:11Z"}"#
                    + "\n")
            let movie = try await client.get("/movies/movie_214/watch-time")
            #expect(movie.text == #"{"movieId":"movie_214","watchTimeSeconds":10,"viewers":1,"events":2}"# + "\n")
        }
    }

    @Test func batchOfHeartbeatsIsOneCommitAllOrNothing() async throws {
        try await withTally { client in
            let good = (0..<100).map { heartbeatJSON(user: "u\($0 % 10)", position: $0, timestamp: "2021-10-26T13:27:01Z") }
            let ok = try await client.post("/heartbeats", "[" + good.joined(separator: ",") + "]")
            #expect(ok.status == .accepted)
            #expect(ok.json["accepted"] as? Int == 100)

            let ndjson = try await client.post("/heartbeats", good.prefix(3).joined(separator: "\n"), contentType: "application/x-ndjson")
            #expect(ndjson.json["accepted"] as? Int == 3)

            var mixed = good.map { $0.replacingOccurrences(of: "movie_214", with: "other") }
            mixed[7] = heartbeatJSON(movie: "other", duration: 10, position: 11, timestamp: "2021-10-26T13:27:01Z")
            mixed[42] = #"{"userId":"u","movieId":"other","duration":10,"position":1}"#
            let bad = try await client.post("/heartbeats", "[" + mixed.joined(separator: ",") + "]")
            #expect(bad.status == .badRequest)
            #expect(bad.errorObject["code"] as? String == "invalid_batch")
            let items = bad.errorObject["items"] as? [[String: Any]] ?? []
            #expect(items.map { $0["index"] as? Int } == [7, 42])
            #expect(items.map { $0["field"] as? String } == ["position", "timestamp"])
            // Nothing of the bad batch was stored.
            #expect(try await client.get("/movies/other/watch-time").status == .notFound)
        }
    }

    @Test func watchEventsOnRootAndEvents() async throws {
        try await withTally { client in
            let root = try await client.post("/", #"{"user":"2fvkqoxolhs81","slug":"3er6ivu3j0e2f","at":407}"#)
            #expect(root.status == .accepted)
            let events = try await client.post(
                "/events", #"[{"user":"2fvkqoxolhs81","slug":"3er6ivu3j0e2f","at":13},{"user":"x","slug":"3er6ivu3j0e2f","at":5}]"#)
            #expect(events.json["accepted"] as? Int == 2)
            let noType = try await client.post("/", #"{"user":"y","slug":"z","at":1}"#, contentType: nil)
            #expect(noType.status == .accepted)
            let movie = try await client.get("/movies/3er6ivu3j0e2f/watch-time")
            #expect(movie.json["watchTimeSeconds"] as? Int == 425)
            #expect(movie.json["viewers"] as? Int == 2)
            let user = try await client.get("/users/2fvkqoxolhs81/watch-time")
            #expect(user.json["watchTimeSeconds"] as? Int == 420)
        }
    }

    @Test func positionModeIsConfigurable() async throws {
        var configuration = ServerConfiguration()
        configuration.rules.watchAt = .position
        try await withTally(configuration: configuration) { client in
            for at in [0, 30, 20, 50, 900, 910] {
                try await client.post("/events", #"{"user":"u","slug":"s","at":\#(at)}"#)
            }
            // +30, rewind, +30, seek, +10
            #expect(try await client.get("/users/u/watch-time").json["watchTimeSeconds"] as? Int == 70)
        }
    }
}
