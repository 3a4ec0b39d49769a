import Foundation
import Hummingbird
import HummingbirdTesting
import TallyCore
import TallyPipeline
import TallySQLite
import TallyServer
import Testing

/// The real server with `--auth required`: each status a client can get for its key, over HTTP and WebSocket.
@Suite("API keys and scopes")
struct AccessTests {
    struct Keys {
        var ingest = APIKeyToken.generate()
        var read = APIKeyToken.generate()
        var admin = APIKeyToken.generate()
        var revoked = APIKeyToken.generate()
    }

    static func required(refresh: Duration = .seconds(2)) -> ServerConfiguration {
        var configuration = ServerConfiguration.fewUsers
        configuration.access = AccessConfiguration(mode: .required, refreshInterval: refresh)
        return configuration
    }

    static func create(_ token: APIKeyToken, _ scope: AccessScope, in store: any APIKeyStore, name: String = "") async throws {
        try await store.createAPIKey(
            APIKeyRecord(
                id: token.id, name: name, scope: scope, secretDigest: token.secretDigest, createdAt: Timestamp(millisecondsSinceEpoch: 1)))
    }

    /// A SQLite store holding `keys` (the revoked one already revoked).
    static func storeWith(_ keys: Keys) -> (String) async throws -> any TallyStorage {
        { directory in
            let store = try SQLiteEventStore(directory: directory)
            try await create(keys.ingest, .ingest, in: store)
            try await create(keys.read, .read, in: store)
            try await create(keys.admin, .admin, in: store)
            try await create(keys.revoked, .ingest, in: store)
            _ = try await store.revokeAPIKey(id: keys.revoked.id, at: Timestamp(millisecondsSinceEpoch: 2))
            return store
        }
    }

    static let heartbeat = heartbeatJSON(user: "u1", position: 10, timestamp: "2023-11-14T22:13:20Z")

    @Test func withoutAKeyOnlyHealthAnswers() async throws {
        try await withTally(configuration: Self.required(), store: Self.storeWith(Keys()), testing: .live) { client in
            #expect(try await client.get("/health").status == .ok)
            for (method, path) in [
                (HTTPRequest.Method.post, "/heartbeat"), (.get, "/users/u1/watch-time"), (.get, "/metrics"),
                (.get, "/sessions"), (.get, "/no/such/path"),
            ] {
                let response = try await client.execute(uri: path, method: method, body: ByteBuffer(string: Self.heartbeat))
                #expect(response.status == .unauthorized, "\(method) \(path)")
                #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="tally""#)
                #expect(response.errorObject["code"] as? String == "missing_key")
            }
        }
    }

    @Test func eachScopeReachesItsRoutesAndNoOthers() async throws {
        let keys = Keys()
        try await withTally(configuration: Self.required(), store: Self.storeWith(keys), testing: .live) { client in
            func call(_ method: HTTPRequest.Method, _ path: String, _ key: APIKeyToken, body: String = "") async throws -> TestResponse {
                try await client.execute(
                    uri: path, method: method,
                    headers: [.authorization: "Bearer \(key.text)", .contentType: "application/json"],
                    body: ByteBuffer(string: body))
            }
            #expect(try await call(.post, "/heartbeat", keys.ingest, body: Self.heartbeat).status == .accepted)
            #expect(try await call(.post, "/heartbeat", keys.admin, body: Self.heartbeat).status == .accepted)
            #expect(try await call(.get, "/users/u1/watch-time", keys.read).status == .ok)
            #expect(try await call(.get, "/metrics", keys.admin).status == .ok)
            #expect(try await call(.get, "/sessions", keys.admin).status == .ok)

            let refused: [(HTTPRequest.Method, String, APIKeyToken, String)] = [
                (.get, "/users/u1/watch-time", keys.ingest, "read"),
                (.post, "/heartbeat", keys.read, "ingest"),
                (.get, "/metrics", keys.read, "admin"),
                (.get, "/sessions", keys.ingest, "admin"),
            ]
            for (method, path, key, needed) in refused {
                let response = try await call(method, path, key, body: Self.heartbeat)
                #expect(response.status == .forbidden, "\(method) \(path)")
                #expect(response.errorObject["code"] as? String == "insufficient_scope")
                #expect((response.errorObject["message"] as? String)?.contains("needs a key with scope \(needed)") == true)
            }
            // A refused write stored nothing: the one user's watch time comes from the two accepted heartbeats.
            #expect(try await call(.get, "/users/u1/watch-time", keys.read).json["userId"] as? String == "u1")
        }
    }

    @Test func unknownMalformedAndRevokedKeysAre401() async throws {
        let keys = Keys()
        try await withTally(configuration: Self.required(), store: Self.storeWith(keys), testing: .live) { client in
            for authorization in [
                "Bearer \(APIKeyToken.generate().text)", "Bearer \(keys.revoked.text)", "Bearer tally_nope",
                "Basic dXNlcjpwYXNz", "Bearer " + keys.ingest.text.dropLast() + (keys.ingest.text.hasSuffix("0") ? "1" : "0"),
            ] {
                let response = try await client.execute(
                    uri: "/heartbeat", method: .post, headers: [.authorization: authorization, .contentType: "application/json"],
                    body: ByteBuffer(string: Self.heartbeat))
                #expect(response.status == .unauthorized, "\(authorization)")
                #expect(response.errorObject["code"] as? String == "invalid_key")
                #expect(response.headers[.wwwAuthenticate]?.contains("error=") == true)
            }
        }
    }

    /// `?key=` is for clients that cannot set headers, and only for ingest keys on ingest routes.
    @Test func aKeyInTheQueryIsForIngestOnly() async throws {
        let keys = Keys()
        try await withTally(configuration: Self.required(), store: Self.storeWith(keys), testing: .live) { client in
            #expect(try await client.post("/heartbeat?key=\(keys.ingest.text)", Self.heartbeat).status == .accepted)
            let read = try await client.get("/users/u1/watch-time?key=\(keys.read.text)")
            #expect(read.status == .unauthorized)
            #expect((read.errorObject["message"] as? String)?.contains("ingest routes only") == true)
            let admin = try await client.post("/heartbeat?key=\(keys.admin.text)", Self.heartbeat)
            #expect(admin.status == .forbidden)
            #expect(admin.errorObject["code"] as? String == "key_in_url")
            let stored = try await client.execute(
                uri: "/users/u1/watch-time", method: .get, headers: [.authorization: "Bearer \(keys.read.text)"])
            #expect(stored.status == .ok)
        }
    }

    @Test func aWebSocketNeedsAnIngestKey() async throws {
        let keys = Keys()
        try await withTally(configuration: Self.required(), store: Self.storeWith(keys), testing: .live) { client in
            let port = client.port!
            let none = try await RawWebSocket.answer(port: port, path: "/sessions/s1/stream")
            let readInQuery = try await RawWebSocket.answer(port: port, path: "/sessions/s1/stream?key=\(keys.read.text)")
            let readInHeader = try await RawWebSocket.answer(
                port: port, path: "/sessions/s1/stream", headers: ["Authorization: Bearer \(keys.read.text)"])
            let ingest = try await RawWebSocket.answer(port: port, path: "/sessions/s1/stream?key=\(keys.ingest.text)")
            #expect(none.hasPrefix("HTTP/1.1 401"), "\(none)")
            #expect(none.contains("missing_key") && none.contains("WWW-Authenticate"), "\(none)")
            #expect(readInQuery.hasPrefix("HTTP/1.1 403"), "\(readInQuery)")
            #expect(readInQuery.contains("insufficient_scope"))
            #expect(readInHeader.hasPrefix("HTTP/1.1 403"), "\(readInHeader)")
            #expect(ingest.hasPrefix("HTTP/1.1 101"), "\(ingest)")
        }
    }

    /// A key revoked in the store while the server runs is refused within the refresh interval; one created is
    /// accepted as soon.
    @Test func keyChangesReachARunningServer() async throws {
        let directory = TemporaryDirectory()
        let late = APIKeyToken.generate()
        let keys = Keys()
        try await withTally(
            directory: directory, configuration: Self.required(refresh: .milliseconds(100)),
            store: Self.storeWith(keys), testing: .live
        ) { client in
            let changer = SQLiteAPIKeysOpener.open(directory.path)
            try await Self.create(late, .ingest, in: changer)
            _ = try await changer.revokeAPIKey(id: keys.ingest.id, at: Timestamp(millisecondsSinceEpoch: 3))
            try await Task.sleep(for: .milliseconds(600))
            #expect(try await client.post("/heartbeat?key=\(late.text)", Self.heartbeat).status == .accepted)
            #expect(try await client.post("/heartbeat?key=\(keys.ingest.text)", Self.heartbeat).status == .unauthorized)
        }
        let listed = try await SQLiteAPIKeysOpener.open(directory.path).apiKeys()
        let lateRecord = listed.first { $0.id == late.id }
        #expect(lateRecord?.lastUsedAt != nil, "last use is saved")
    }

    @Test func authOffAsksForNothing() async throws {
        try await withTally(configuration: .fewUsers, testing: .live) { client in
            let write = try await client.post("/heartbeat", Self.heartbeat)
            let metrics = try await client.get("/metrics")
            #expect(write.status == .accepted)
            #expect(metrics.status == .ok)
        }
    }
}

/// `tally keys`' way into a running server's SQLite store (no data-directory lock).
enum SQLiteAPIKeysOpener {
    static func open(_ directory: String) -> SQLiteAPIKeys {
        try! SQLiteAPIKeys.open(directory: directory)
    }
}

@Suite("Access defaults")
struct AccessDefaultTests {
    @Test(arguments: ["127.0.0.1", "127.1.2.3", "localhost", "::1", "LOCALHOST"])
    func loopbackAddressesDefaultToOff(host: String) {
        #expect(AccessConfiguration.defaultMode(host: host) == .off)
    }

    @Test(arguments: ["0.0.0.0", "10.0.0.5", "::", "example.com", "127.0.0.1.example.com", "1270.0.0.1"])
    func otherAddressesDefaultToRequired(host: String) {
        #expect(AccessConfiguration.defaultMode(host: host) == .required)
    }

    @Test func thePolicyCoversEveryRoute() {
        #expect(AccessPolicy.access(method: "GET", path: "/health") == .open)
        #expect(AccessPolicy.access(method: "OPTIONS", path: "/heartbeat") == .open)
        for path in ["/heartbeat", "/heartbeats", "/", "/events", "/analytics", "/sessions/s/events"] {
            #expect(AccessPolicy.access(method: "POST", path: path) == .needs(.ingest), "\(path)")
        }
        #expect(AccessPolicy.access(method: "GET", path: "/sessions/s/stream") == .needs(.ingest))
        for path in [
            "/users/u/watch-time", "/movies/m/watch-time", "/users/u/resume", "/resume/stream", "/analytics",
            "/sessions/s", "/sessions/s/events", "/users/u/continue-watching", "/users/u/movies/m/latest",
        ] {
            #expect(AccessPolicy.access(method: "GET", path: path) == .needs(.read), "\(path)")
        }
        #expect(AccessPolicy.access(method: "GET", path: "/metrics") == .needs(.admin))
        #expect(AccessPolicy.access(method: "GET", path: "/sessions") == .needs(.admin))
        #expect(AccessPolicy.access(method: "HEAD", path: "/health") == .open)
        // Empty segments do not count; anything past a known path falls under the general rules.
        #expect(AccessPolicy.access(method: "GET", path: "//health/") == .open)
        #expect(AccessPolicy.access(method: "POST", path: "/health") == .needs(.ingest))
        #expect(AccessPolicy.access(method: "GET", path: "/health/x") == .needs(.read))
        #expect(AccessPolicy.access(method: "POST", path: "/metrics/") == .needs(.admin))
        #expect(AccessPolicy.access(method: "GET", path: "//sessions//s//stream") == .needs(.ingest))
        #expect(AccessPolicy.access(method: "GET", path: "/sessions/s/stream/x") == .needs(.read))
        // The dashboard's page and files hold no data; the page asks for a key to read any.
        for path in ["", "/", "/dashboard.js", "/dashboard.css"] {
            #expect(AccessPolicy.access(method: "GET", path: path) == .open, "\(path)")
        }
        #expect(AccessPolicy.access(method: "POST", path: "/dashboard.js") == .needs(.ingest))
        #expect(AccessPolicy.access(method: "GET", path: "/dashboard.js/x") == .needs(.read))
    }
}
