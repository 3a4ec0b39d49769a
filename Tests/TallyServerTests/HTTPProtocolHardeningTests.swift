import Foundation
import Hummingbird
import HummingbirdTesting
import TallyCore
import TallyPipeline
import TallyServer
import Testing

/// Clients that do not speak HTTP properly, or too slowly, against the live server: each gets an answer (or a
/// closed connection) within a bound, never an open socket forever.
@Suite("Hardening: malformed and slow HTTP")
struct HTTPProtocolHardeningTests {
    static var shortTimeouts: ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.connection = ConnectionLimits(headerTimeout: .seconds(1), bodyTimeout: .seconds(1), idleTimeout: .seconds(2))
        return configuration
    }

    @Test(arguments: [
        ("FOO / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "501"),
        ("GET /h\u{e9}alth HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "400"),
        ("GET /health HTTP/1.1\r\nHost x\r\n\r\n", "400"),
        ("POST /heartbeat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", "400"),
        ("POST /heartbeat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "400"),
        ("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + String(repeating: "a", count: 100_000) + "\r\n\r\n", "431"),
    ])
    func malformedRequestsAreAnsweredAndClosed(request: String, status: String) async throws {
        try await withTally(testing: .live) { client in
            let connection = try RawConnection(port: client.port!)
            connection.send(request)
            let (text, closed) = await connection.read(for: .seconds(5))
            #expect(text.hasPrefix("HTTP/1.1 \(status) "), "\(text.prefix(80))")
            #expect(text.contains(#"{"error":{"code":"#))
            #expect(closed)
        }
    }

    @Test func slowHeadersGet408AndIdleConnectionsAreClosed() async throws {
        try await withTally(configuration: Self.shortTimeouts, testing: .live) { client in
            let started = ContinuousClock.now
            let slow = try RawConnection(port: client.port!)
            slow.send("GET /health HTTP/1.1\r\nHo")
            let (text, closed) = await slow.read(for: .seconds(15))
            // Only the header timeout answers 408; the time bound leaves room for a parallel test run on two cores,
            // and is still well short of the 15 s read.
            #expect(text.hasPrefix("HTTP/1.1 408 "), "\(text)")
            #expect(closed)
            #expect(ContinuousClock.now - started < .seconds(10))

            let idle = try RawConnection(port: client.port!)
            let silent = await idle.read(for: .seconds(15))
            #expect(silent.text.isEmpty)
            #expect(silent.closed)

            let keepAlive = try RawConnection(port: client.port!)
            keepAlive.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let answered = await keepAlive.read(for: .seconds(15))
            #expect(answered.text.hasPrefix("HTTP/1.1 200 "))
            #expect(answered.closed)

            let slowBody = try RawConnection(port: client.port!)
            let beat = heartbeatJSON(user: "slow", position: 1, timestamp: "2023-11-14T22:13:20Z")
            slowBody.send(
                "POST /heartbeat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(beat.utf8.count + 1)\r\n\r\n\(beat)"
            )
            // Reads end when the server closes: 15 s only bounds a failure, on a machine a parallel test run can starve.
            #expect(await slowBody.read(for: .seconds(15)).closed)
            // The test client's own connection was closed as idle meanwhile; ask on a new one.
            let after = try await LoopbackHTTP.send(port: client.port!, method: "GET", "/users/slow/watch-time")
            #expect(after.status == 404, "\(after.body)")
        }
    }

    @Test func http10WithoutKeepAliveIsClosedAfterItsAnswer() async throws {
        try await withTally(testing: .live) { client in
            let connection = try RawConnection(port: client.port!)
            connection.send("GET /health HTTP/1.0\r\n\r\n")
            let (text, closed) = await connection.read(for: .seconds(5))
            #expect(text.contains("200 OK"))
            #expect(text.lowercased().contains("connection: close"))
            #expect(closed)
        }
    }

    @Test func aChunkedBodyOverTheLimitIs413() async throws {
        try await withTally(testing: .live) { client in
            let connection = try RawConnection(port: client.port!)
            let chunk = "100000\r\n" + String(repeating: "a", count: 0x100000) + "\r\n"
            connection.send(
                "POST /heartbeats HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunk + chunk
                    + "0\r\n\r\n")
            let (text, _) = await connection.read(for: .seconds(5))
            #expect(text.hasPrefix("HTTP/1.1 413 "), "\(text.prefix(80))")
            #expect(text.contains("body_too_large"))
        }
    }

    @Test func wrongMethodsAre405WithAllowAndHeadWorksWhereGetDoes() async throws {
        try await withTally(testing: .live) { client in
            let wrong = try await client.execute(uri: "/users/u/watch-time", method: .delete)
            #expect(wrong.status == .methodNotAllowed)
            #expect(wrong.headers[.allow] == "GET, HEAD")
            #expect(String(buffer: wrong.body).contains("method_not_allowed"))
            let post = try await client.execute(uri: "/heartbeat", method: .put)
            #expect(post.headers[.allow] == "POST")
            #expect(try await client.execute(uri: "/nowhere", method: .delete).status == .notFound)
            let head = try await client.execute(uri: "/health", method: .head)
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
        }
    }
}
