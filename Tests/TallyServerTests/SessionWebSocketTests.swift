import Foundation
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import Synchronization
import TallyCore
import TallyServer
import Testing

/// A real WebSocket client against the live server.
@Suite("Session WebSocket")
struct SessionWebSocketTests {
    /// Sends each message and collects every text frame the server sends back until it closes.
    func converse(port: Int, session: String = sessionId, _ messages: [String]) async throws -> (
        replies: [String], close: WebSocketCloseFrame?
    ) {
        let replies = Mutex<[String]>([])
        let close = try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(port)/sessions/\(session)/stream", logger: Logger(label: "ws-test")
        ) { inbound, outbound, _ in
            var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            for message in messages {
                try await outbound.write(.text(message))
                guard let reply = try await iterator.next() else { return }
                if case .text(let text) = reply { replies.withLock { $0.append(text) } }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        return (replies.withLock { $0 }, close)
    }

    @Test func aWholeSessionAcksEachMessageAndClosesWith1000() async throws {
        try await withTally(testing: .live) { client async throws in
            let result = try await converse(
                port: client.port!,
                [
                    message(entry("SESSION_START", 1_569_972_082), entry("EVENT", 1_569_972_084, name: "cart_load")),
                    message(entry("EVENT", 1_569_972_083, name: "cart_loaded")),
                    message(entry("SESSION_END", 1_569_972_090)),
                ])
            #expect(
                result.replies == [
                    #"{"accepted":2,"total":2}"#, #"{"accepted":1,"total":3}"#, #"{"accepted":1,"total":4,"complete":true}"#,
                ])
            #expect(result.close?.closeCode == .normalClosure)
            let tree = try await client.get("/sessions/\(sessionId)")
            #expect(
                tree.text
                    == #"{"type":"SESSION","start":1569972082,"end":1569972090,"status":"complete","children":[{"type":"EVENT","timestamp":1569972083,"name":"cart_loaded"},{"type":"EVENT","timestamp":1569972084,"name":"cart_load"}]}"#
                    + "\n")
        }
    }

    @Test func aBadMessageGetsAnErrorFrameAndTheConnectionStaysOpen() async throws {
        try await withTally(testing: .live) { client async throws in
            let result = try await converse(
                port: client.port!,
                [
                    message(entry("SESSION_START", 1)), "not json", "[]", message(entry("EVENT", 2)),
                ])
            #expect(result.replies.count == 4)
            #expect(result.replies[1].contains(#""code":"malformed_json""#))
            #expect(result.replies[2].contains(#""code":"empty_message""#))
            #expect(result.replies[3] == #"{"accepted":1,"total":2}"#)
        }
    }

    @Test func aProtocolViolationClosesWith4001() async throws {
        try await withTally(testing: .live) { client async throws in
            let result = try await converse(port: client.port!, [message(entry("SESSION_START", 1, session: "someone-else"))])
            #expect(result.replies.first?.contains("session_id_mismatch") == true)
            #expect(result.close?.closeCode == .unknown(4001))
            #expect(result.close?.reason?.contains("someone-else") == true)
            #expect(try await client.get("/sessions/\(sessionId)").status == .notFound)
        }
    }

    @Test func aDisconnectWithoutEndKeepsTheSessionOpenWithEverythingAcked() async throws {
        try await withTally(testing: .live) { client async throws in
            _ = try await converse(port: client.port!, [message(entry("SESSION_START", 1)), message(entry("EVENT", 2, name: "kept"))])
            let tree = try await client.get("/sessions/\(sessionId)").json
            #expect(tree["status"] as? String == "open")
            #expect((tree["children"] as? [[String: Any]])?.first?["name"] as? String == "kept")
            // Reconnect and finish.
            let again = try await converse(port: client.port!, [message(entry("SESSION_END", 3))])
            #expect(again.replies == [#"{"accepted":1,"total":3,"complete":true}"#])
        }
    }
}

@Suite("Session WebSocket, two connections")
struct SessionTwoConnectionTests {
    @Test func twoConnectionsOnOneSessionAreBothStoredInOrder() async throws {
        try await withTally(testing: .live) { client async throws in
            let port = client.port!
            _ = try await SessionWebSocketTests().converse(port: port, [message(entry("SESSION_START", 100))])
            async let first = SessionWebSocketTests().converse(
                port: port, (0..<20).map { message(entry("EVENT", Int64(101 + $0), name: "a\($0)")) })
            async let second = SessionWebSocketTests().converse(
                port: port, (0..<20).map { message(entry("EVENT", Int64(101 + $0), name: "b\($0)")) })
            let (a, b) = try await (first, second)
            #expect(a.replies.count == 20 && b.replies.count == 20)
            #expect(a.replies.allSatisfy { $0.hasPrefix(#"{"accepted":1,"#) })
            let tree = try await client.get("/sessions/\(sessionId)").json
            let children = tree["children"] as? [[String: Any]] ?? []
            #expect(children.count == 40)
            let times = children.compactMap { $0["timestamp"] as? Int }
            #expect(times == times.sorted())
        }
    }
}

@Suite("Session WebSocket limits")
struct SessionWebSocketLimitTests {
    @Test func aMessageOverTheLimitClosesTheConnectionAsTooBig() async throws {
        var configuration = ServerConfiguration()
        configuration.sessionLimits.maxMessageBytes = 64 * 1024
        try await withTally(configuration: configuration, testing: .live) { client async throws in
            let big =
                "[" + Array(repeating: entry("EVENT", 1, name: String(repeating: "x", count: 200)), count: 400).joined(separator: ",") + "]"
            let result = try await SessionWebSocketTests().converse(port: client.port!, [message(entry("SESSION_START", 1)), big])
            #expect(result.replies.first == #"{"accepted":1,"total":1}"#)
            #expect(result.close?.closeCode == .messageTooLarge)
            // Nothing of the oversized message was stored.
            #expect((try await client.get("/sessions/\(sessionId)").json["children"] as? [Any])?.isEmpty == true)
        }
    }
}
