import Foundation
import Hummingbird
import HummingbirdTesting
import TallyCore
import TallyPipeline
import TallyServer
import Testing

/// What browsers meet: CORS preflights and headers, sendBeacon's text/plain, WebSocket origins, foreign Host names.
@Suite("Browsers: CORS, beacons, origins and hosts")
struct BrowserAccessTests {
    static let listed = "https://shop.example"

    static func configuration(origins: [String], auth: Bool = true) -> ServerConfiguration {
        var configuration = AccessTests.required()
        if !auth { configuration.access.mode = .off }
        configuration.browser = BrowserPolicy(origins: origins, listenHost: "127.0.0.1")
        return configuration
    }

    static func preflight(_ client: any TestClientProtocol, _ path: String, origin: String, method: String = "POST") async throws
        -> TestResponse
    {
        try await client.execute(
            uri: path, method: .options,
            headers: [
                .origin: origin, .accessControlRequestMethod: method, .accessControlRequestHeaders: "authorization, content-type",
            ])
    }

    @Test func preflightsAreAnsweredForListedOriginsOnly() async throws {
        try await withTally(
            configuration: Self.configuration(origins: [Self.listed]), store: AccessTests.storeWith(.init()), testing: .live
        ) { client in
            let allowed = try await Self.preflight(client, "/heartbeat", origin: Self.listed)
            #expect(allowed.status == .noContent)
            #expect(allowed.headers[.accessControlAllowOrigin] == Self.listed)
            #expect(allowed.headers[.accessControlAllowMethods]?.contains("POST") == true)
            #expect(allowed.headers[.accessControlAllowHeaders]?.contains("authorization") == true)
            #expect(allowed.headers[.accessControlMaxAge] == "600")
            let read = try await Self.preflight(client, "/users/u/watch-time", origin: Self.listed, method: "GET")
            #expect(read.status == .noContent)
            let foreign = try await Self.preflight(client, "/heartbeat", origin: "https://evil.example")
            #expect(foreign.status == .forbidden)
            #expect(foreign.errorObject["code"] as? String == "origin_not_allowed")
            #expect(foreign.headers[.accessControlAllowOrigin] == nil)
        }
    }

    /// `*` opens ingest to every page, never reads.
    @Test func aWildcardOpensIngestOnly() async throws {
        try await withTally(configuration: Self.configuration(origins: ["*"]), store: AccessTests.storeWith(.init()), testing: .live) {
            client in
            #expect(try await Self.preflight(client, "/heartbeat", origin: "https://any.example").status == .noContent)
            #expect(try await Self.preflight(client, "/sessions/s/events", origin: "https://any.example").status == .noContent)
            let read = try await Self.preflight(client, "/users/u/watch-time", origin: "https://any.example", method: "GET")
            #expect(read.status == .forbidden)
        }
    }

    /// What `navigator.sendBeacon(url + "?key=" + key, JSON.stringify(event))` sends: a cross-origin text/plain POST
    /// with no preflight. It is stored, and the answer is readable by the page.
    @Test func aTextPlainBeaconWithAKeyInTheURLIsStored() async throws {
        let keys = AccessTests.Keys()
        try await withTally(configuration: Self.configuration(origins: ["*"]), store: AccessTests.storeWith(keys), testing: .live) {
            client in
            let beacon = try await client.execute(
                uri: "/heartbeat?key=\(keys.ingest.text)", method: .post,
                headers: [.contentType: "text/plain;charset=UTF-8", .origin: "https://blog.example"],
                body: ByteBuffer(string: AccessTests.heartbeat))
            #expect(beacon.status == .accepted)
            #expect(beacon.headers[.accessControlAllowOrigin] == "https://blog.example")
            let stored = try await client.execute(
                uri: "/users/u1/movies/movie_214/latest", method: .get, headers: [.authorization: "Bearer \(keys.read.text)"])
            #expect(stored.json["position"] as? Int == 10)
            // A page may read the errors it gets too.
            let refused = try await client.execute(
                uri: "/heartbeat", method: .post, headers: [.contentType: "text/plain", .origin: "https://blog.example"],
                body: ByteBuffer(string: AccessTests.heartbeat))
            #expect(refused.status == .unauthorized)
            #expect(refused.headers[.accessControlAllowOrigin] == "https://blog.example")
        }
    }

    /// With keys off (a local server), a page elsewhere on the web must still not write into it.
    @Test func aForeignPageIsRefusedEvenWithoutKeys() async throws {
        try await withTally(configuration: Self.configuration(origins: [], auth: false), testing: .live) { client in
            let foreign = try await client.execute(
                uri: "/heartbeat", method: .post, headers: [.contentType: "text/plain", .origin: "https://evil.example"],
                body: ByteBuffer(string: AccessTests.heartbeat))
            #expect(foreign.status == .forbidden)
            #expect(foreign.errorObject["code"] as? String == "origin_not_allowed")
            #expect(try await client.get("/users/u1/watch-time").status == .notFound, "nothing stored")
            let connection = try RawConnection(port: client.port!)
            let body = AccessTests.heartbeat
            connection.send(
                "POST /heartbeat HTTP/1.1\r\nHost: localhost:\(client.port!)\r\nOrigin: http://localhost:\(client.port!)\r\n"
                    + "Content-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
            let (sameOrigin, _) = await connection.read(for: .seconds(5))
            #expect(sameOrigin.hasPrefix("HTTP/1.1 202"), "a page the server serves itself: \(sameOrigin)")
        }
    }

    @Test func aWebSocketFromAForeignOriginIsRefused() async throws {
        let keys = AccessTests.Keys()
        try await withTally(configuration: Self.configuration(origins: [Self.listed]), store: AccessTests.storeWith(keys), testing: .live) {
            client in
            let path = "/sessions/s1/stream?key=\(keys.ingest.text)"
            let foreign = try await RawWebSocket.answer(port: client.port!, path: path, headers: ["Origin: https://evil.example"])
            let listed = try await RawWebSocket.answer(port: client.port!, path: path, headers: ["Origin: \(Self.listed)"])
            #expect(foreign.hasPrefix("HTTP/1.1 403"), "\(foreign)")
            #expect(foreign.contains("origin_not_allowed"))
            #expect(listed.hasPrefix("HTTP/1.1 101"), "\(listed)")
        }
    }

    /// A page whose DNS name was rebound to 127.0.0.1 sends its own name as Host.
    @Test func aForeignHostIs421() async throws {
        try await withTally(configuration: Self.configuration(origins: [], auth: false), testing: .live) { client in
            for (host, expected) in [
                ("evil.example", "421"), ("evil.example:\(client.port!)", "421"), ("localhost:\(client.port!)", "200"),
                ("127.0.0.1", "200"), ("[::1]:\(client.port!)", "200"),
            ] {
                let connection = try RawConnection(port: client.port!)
                connection.send("GET /health HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n")
                let (text, _) = await connection.read(for: .seconds(5))
                #expect(text.hasPrefix("HTTP/1.1 \(expected)"), "\(host): \(text)")
            }
            let upgrade = try await RawWebSocket.answer(port: client.port!, path: "/sessions/s1/stream", headers: [])
            #expect(upgrade.hasPrefix("HTTP/1.1 101"), "\(upgrade)")
        }
    }
}
