import Foundation
import Hummingbird
import HummingbirdTesting
import TallyCore
import TallyPipeline
import TallyServer
import Testing

@Suite("Error responses")
struct ErrorResponseTests {
    @Test(arguments: [
        (#"{"userId":"u","movieId":"m","duration":10,"position":11,"timestamp":"2021-10-26T13:27:01Z"}"#, "position", "invalid_value"),
        (#"{"userId":"u","movieId":"m","duration":"10","position":1,"timestamp":"2021-10-26T13:27:01Z"}"#, "duration", "invalid_type"),
        (#"{"movieId":"m","duration":10,"position":1,"timestamp":"2021-10-26T13:27:01Z"}"#, "userId", "missing_field"),
        (#"{"userId":"u","movieId":"m","duration":10,"position":1,"timestamp":"26/10/2021"}"#, "timestamp", "invalid_value"),
    ])
    func invalidFieldIsA400NamingIt(body: String, field: String, code: String) async throws {
        try await withTally { client in
            let response = try await client.post("/heartbeat", body)
            #expect(response.status == .badRequest)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(response.errorObject["field"] as? String == field)
            #expect(response.errorObject["code"] as? String == code)
            #expect((response.errorObject["message"] as? String)?.contains(field) == true)
        }
    }

    @Test func malformedJSON() async throws {
        try await withTally { client in
            let response = try await client.post("/heartbeat", #"{"userId": "u", "#)
            #expect(response.status == .badRequest)
            #expect(response.errorObject["code"] as? String == "malformed_json")
        }
    }

    @Test func wrongContentTypeIs415() async throws {
        try await withTally { client in
            let response = try await client.post("/heartbeat", "userId=u", contentType: "application/x-www-form-urlencoded")
            #expect(response.status == .unsupportedMediaType)
            #expect(response.errorObject["field"] as? String == "Content-Type")
        }
    }

    @Test func bodyOverTheLimitIs413() async throws {
        var configuration = ServerConfiguration()
        configuration.maxBodyBytes = 2048
        try await withTally(configuration: configuration) { client in
            let big =
                "[" + Array(repeating: heartbeatJSON(position: 1, timestamp: "2021-10-26T13:27:01Z"), count: 40).joined(separator: ",")
                + "]"
            let response = try await client.post("/heartbeats", big)
            #expect(response.status == .contentTooLarge)
            #expect(response.errorObject["code"] as? String == "body_too_large")
            #expect((response.errorObject["message"] as? String)?.contains("2048") == true)
        }
    }

    @Test func tooManyItemsIs413NamingTheLimit() async throws {
        var configuration = ServerConfiguration()
        configuration.limits.maxBatchItems = 5
        try await withTally(configuration: configuration) { client in
            let six = Array(repeating: #"{"user":"u","slug":"s","at":1}"#, count: 6).joined(separator: ",")
            let response = try await client.post("/events", "[\(six)]")
            #expect(response.status == .contentTooLarge)
            #expect(response.errorObject["code"] as? String == "batch_too_large")
            #expect((response.errorObject["message"] as? String)?.contains("5") == true)
        }
    }

    @Test func unknownRoutesAndIdsAre404JSON() async throws {
        try await withTally { client in
            for path in [
                "/nope", "/movies/unknown/watch-time", "/users/unknown/watch-time",
                "/users/u/movies/m/latest", "/users/u/continue-watching",
            ] {
                let response = try await client.get(path)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.errorObject["code"] as? String == "not_found", "\(path)")
            }
        }
    }

    @Test func storeFailureIs503AndNever2xx() async throws {
        try await withTally(store: failingStore) { client in
            let response = try await client.post("/heartbeat", heartbeatJSON(position: 1, timestamp: "2021-10-26T13:27:01Z"))
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "1")
            #expect(response.errorObject["code"] as? String == "unavailable")
            let health = try await client.get("/health")
            #expect(health.status == .serviceUnavailable)
            #expect(health.json["status"] as? String == "unavailable")
            // Queries read the store: down, it answers 503, not a 404 claiming there is no data.
            let read = try await client.get("/movies/movie_214/watch-time")
            #expect(read.status == .serviceUnavailable)
            #expect(read.errorObject["code"] as? String == "unavailable")
        }
    }

    @Test func badLimitParameter() async throws {
        try await withTally { client in
            try await client.post("/events", #"{"user":"u","slug":"s","at":1}"#)
            let response = try await client.get("/users/u/continue-watching?limit=0")
            #expect(response.status == .badRequest)
            #expect(response.errorObject["field"] as? String == "limit")
        }
    }
}
