import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TallyCore
import TallyPipeline
import TallyPostgres
import TallyServer
import TallyTestSupport
import Testing

/// The server's features end to end on the PostgreSQL store (the store-level contract is in TallyStoreTests).
@Suite("Server on PostgreSQL", .enabled(if: testPostgresURL != nil, "TALLY_TEST_POSTGRES_URL is not set; PostgreSQL tests skipped"))
struct PostgresServerTests {
    let settings: PostgresSettings

    init() throws {
        settings = try isolatedPostgres(prefix: "srv_")
    }

    func withPostgresTally<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await PostgresStores.withStores { stores in
            try await withTally(
                configuration: .fewUsers,
                store: { [settings] _ in try await stores.open(settings: settings, logger: Logger(label: "test")) }, body)
        }
    }

    @Test func playbackQueriesReadTheSharedRows() async throws {
        try await withPostgresTally { client in
            try await client.post(
                "/heartbeats",
                [
                    heartbeatJSON(position: 3000, timestamp: "2021-10-26T13:27:01Z"),
                    heartbeatJSON(position: 3010, timestamp: "2021-10-26T13:27:11Z"),
                ].joined(separator: "\n"))
            #expect(
                try await client.get("/movies/movie_214/watch-time").text.trimmingCharacters(in: .newlines)
                    == #"{"movieId":"movie_214","watchTimeSeconds":10,"viewers":1,"events":2}"#)
            #expect(
                try await client.get("/users/user_987/watch-time").text.trimmingCharacters(in: .newlines)
                    == #"{"userId":"user_987","watchTimeSeconds":10,"movies":[{"movieId":"movie_214","watchTimeSeconds":10}]}"#)
            #expect(try await client.get("/users/user_987/movies/movie_214/latest").json["position"] as? Int == 3010)
            #expect(try await client.get("/users/user_987/continue-watching").status == .ok)
            #expect(try await client.get("/users/nobody/watch-time").status == .notFound)
        }
    }

    @Test func analytics() async throws {
        try await withPostgresTally { client in
            for query in [
                "timestamp=1700002800000&user=a&click", "timestamp=1700002800001&user=a&impression", "timestamp=1700002800002&user=b&click",
            ] {
                let response = try await client.execute(uri: "/analytics?\(query)", method: .post)
                #expect(response.status == .noContent)
            }
            #expect(try await client.get("/analytics?timestamp=1700002900000").text == "unique_users,2\nclicks,2\nimpressions,1\n")
        }
    }

    @Test func resumeWindowsAreStoredAndServed() async throws {
        try await withPostgresTally { client in
            try await client.post(
                "/heartbeats",
                ResumeEndpointTests.beats([
                    ("u", "m", 10, "2021-10-26T13:27:10Z"), ("u", "m", 20, "2021-10-26T13:28:30Z"),
                ]))
            let latest = try await client.get("/users/u/resume")
            #expect(latest.status == .ok)
            #expect(latest.text.contains(#""position":10"#))
            #expect(try await client.get("/users/u/resume?window=2021-10-26T13:27:00Z").text == latest.text)
        }
    }

    @Test func sessionOverHTTP() async throws {
        try await withPostgresTally { client in
            let first = try await client.post(
                "/sessions/s1/events",
                #"[{"timestamp":100,"type":"SESSION_START","session_id":"s1"},{"timestamp":105,"type":"EVENT","name":"b"},{"timestamp":102,"type":"EVENT","name":"a"}]"#
            )
            #expect(first.text.trimmingCharacters(in: .newlines) == #"{"accepted":3,"total":3}"#)
            _ = try await client.post("/sessions/s1/events", #"[{"timestamp":110,"type":"SESSION_END","session_id":"s1"}]"#)
            let tree = try await client.get("/sessions/s1")
            #expect(tree.json["status"] as? String == "complete")
            let names = (tree.json["children"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
            #expect(names == ["a", "b"])
            #expect(try await client.get("/sessions?status=complete").text.contains("s1"))
        }
    }

    /// A session whose messages reach two servers in turn (HTTP fallback behind a load balancer): each server plans
    /// from the stored header, and reads show what the other wrote. A cached header made the third post conflict
    /// with the second's entries, and a read return the count it cached.
    @Test func aSessionMovesBetweenServers() async throws {
        try await PostgresStores.withStores { stores in
            let open: @Sendable (String) async throws -> any TallyStorage = { [settings] _ in
                try await stores.open(settings: settings, logger: Logger(label: "test"))
            }
            try await withTally(configuration: .fewUsers, store: open) { a in
                try await withTally(configuration: .fewUsers, store: open) { b in
                    #expect(
                        try await a.post("/sessions/s/events", #"[{"timestamp":100,"type":"SESSION_START","session_id":"s"}]"#).status
                            == .accepted)
                    #expect(try await a.get("/sessions/s/events?timeout=0").json["total"] as? Int == 1)
                    #expect(try await b.post("/sessions/s/events", #"[{"timestamp":101,"type":"EVENT","name":"x"}]"#).status == .accepted)
                    #expect(try await a.get("/sessions/s/events?timeout=0").json["total"] as? Int == 2)
                    let third = try await a.post("/sessions/s/events", #"[{"timestamp":102,"type":"EVENT","name":"y"}]"#)
                    #expect(third.status == .accepted, "\(third.text)")
                    #expect(try await b.get("/sessions/s/events?timeout=0").json["total"] as? Int == 3)
                    #expect(try await b.get("/sessions/s").json["status"] as? String == "open")
                }
            }
        }
    }

    @Test func healthReadsTheDatabase() async throws {
        try await withPostgresTally { client in
            let health = try await client.get("/health")
            #expect(health.status == .ok)
        }
    }
}
