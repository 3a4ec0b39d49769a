import Foundation
import Hummingbird
import HummingbirdTesting
import TallyCore
import TallyPipeline
import TallyServer
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

let sessionId = "e6fa79ca-d142-4046-a134-5134f16a0b5e"

func entry(_ type: String, _ timestamp: Int64, name: String? = nil, session: String = sessionId) -> String {
    switch type {
    case "EVENT": return #"{"timestamp":\#(timestamp),"type":"EVENT","name":"\#(name ?? "e")"}"#
    default: return #"{"timestamp":\#(timestamp),"type":"\#(type)","session_id":"\#(session)"}"#
    }
}

func message(_ entries: String...) -> String { "[" + entries.joined(separator: ",") + "]" }

@Suite("Session endpoints (HTTP)")
struct SessionEndpointTests {
    let path = "/sessions/\(sessionId)"

    @Test func shuffledMessagesBecomeAnOrderedTree() async throws {
        try await withTally { client async throws in
            let first = try await client.post(
                path + "/events", message(entry("SESSION_START", 1_569_972_082), entry("EVENT", 1_569_972_086, name: "pay")))
            #expect(first.status == .accepted)
            #expect(first.text == "{\"accepted\":2,\"total\":2}\n")
            try await client.post(
                path + "/events", message(entry("EVENT", 1_569_972_083, name: "cart_loaded"), entry("EVENT", 1_569_972_086, name: "paid")))
            let open = try await client.get(path)
            #expect(
                open.text
                    == #"{"type":"SESSION","start":1569972082,"end":null,"status":"open","children":[{"type":"EVENT","timestamp":1569972083,"name":"cart_loaded"},{"type":"EVENT","timestamp":1569972086,"name":"pay"},{"type":"EVENT","timestamp":1569972086,"name":"paid"}]}"#
                    + "\n")
            let end = try await client.post(path + "/events", message(entry("SESSION_END", 1_569_972_090), ))
            #expect(end.json["complete"] as? Bool == true)
            let complete = try await client.get(path)
            #expect(complete.json["status"] as? String == "complete")
            #expect(complete.json["end"] as? Int == 1_569_972_090)
            #expect((complete.json["children"] as? [[String: Any]])?.count == 3)
        }
    }

    @Test func edgeCasesAreRefusedWithClearErrorsAndStoreNothing() async throws {
        try await withTally { client async throws in
            let notStarted = try await client.post(path + "/events", message(entry("EVENT", 1)))
            #expect(notStarted.status == .badRequest)
            #expect(notStarted.errorObject["code"] as? String == "session_not_started")
            #expect(try await client.get(path).status == .notFound)

            let wrongId = try await client.post(path + "/events", message(entry("SESSION_START", 1, session: "other")))
            #expect(wrongId.errorObject["code"] as? String == "session_id_mismatch")
            #expect(wrongId.errorObject["field"] as? String == "session_id")

            #expect(try await client.post(path + "/events", message(entry("SESSION_START", 100))).status == .accepted)
            let sameStart = try await client.post(path + "/events", message(entry("SESSION_START", 100)))
            #expect(sameStart.text == "{\"accepted\":0,\"total\":1}\n")
            let otherStart = try await client.post(path + "/events", message(entry("SESSION_START", 101)))
            #expect(otherStart.status == .conflict)
            #expect(otherStart.errorObject["code"] as? String == "conflicting_start")

            let partial = try await client.post(
                path + "/events", message(entry("EVENT", 102), entry("SESSION_END", 110), entry("EVENT", 111)))
            #expect(partial.status == .conflict)
            #expect(partial.errorObject["entry"] as? Int == 2)
            #expect(try await client.get(path).json["end"] is NSNull)  // nothing of the refused message was stored

            for body in ["[]", "{}", "42", "[{\"type\":\"PING\",\"timestamp\":1}]", "[", #"[{"type":"EVENT","timestamp":1}]"#] {
                let bad = try await client.post(path + "/events", body)
                #expect(bad.status == .badRequest, "\(body)")
                #expect(bad.errorObject["code"] != nil)
            }
            #expect(
                try await client.post(path + "/events", message(entry("EVENT", 105, name: "outside"), entry("SESSION_END", 104))).status
                    == .accepted)
            let secondEnd = try await client.post(path + "/events", message(entry("SESSION_END", 104)))
            #expect(secondEnd.text == "{\"accepted\":0,\"total\":3,\"complete\":true}\n")
            #expect(try await client.post(path + "/events", message(entry("SESSION_END", 105))).status == .conflict)
            #expect(
                try await client.post(path + "/events", message(entry("EVENT", 103))).errorObject["code"] as? String == "session_complete")
            let tree = try await client.get(path).json
            let children = tree["children"] as? [[String: Any]] ?? []
            #expect(children.first?["outOfRange"] as? Bool == true)
        }
    }

    @Test func sequenceNumbersMakeResendsIdempotent() async throws {
        try await withTally { client async throws in
            let body = #"{"seq":1,"entries":\#(message(entry("SESSION_START", 1), entry("EVENT", 2)))}"#
            #expect(try await client.post(path + "/events", body).text == "{\"accepted\":2,\"total\":2}\n")
            #expect(try await client.post(path + "/events", body).text == "{\"accepted\":0,\"total\":2,\"duplicate\":true}\n")
            #expect((try await client.get(path).json["children"] as? [Any])?.count == 1)
        }
    }

    @Test func longPollReturnsAsSoonAsEntriesArrive() async throws {
        try await withTally(testing: .live) { client async throws in
            try await client.post(path + "/events", message(entry("SESSION_START", 1)))
            let immediate = try await client.get(path + "/events?after=0").json
            #expect((immediate["entries"] as? [Any])?.count == 1)
            let empty = try await client.get(path + "/events?after=1&timeout=0").json
            #expect((empty["entries"] as? [Any])?.count == 0)
            async let waited = client.get(path + "/events?after=1&timeout=10")
            try await Task.sleep(for: .milliseconds(200))
            let started = ContinuousClock.now
            #expect(try await postConcurrently(port: client.port!, path + "/events", message(entry("EVENT", 2, name: "arrived"))) == 202)
            let response = try await waited.json
            #expect(ContinuousClock.now - started < .seconds(5))
            let entries = response["entries"] as? [[String: Any]] ?? []
            #expect(entries.map { $0["name"] as? String } == ["arrived"])
            #expect(entries.first?["ordinal"] as? Int == 2)
            #expect(try await client.get(path + "/events?after=x").status == .badRequest)
            #expect(try await client.get("/sessions/unknown/events").status == .notFound)
        }
    }

    @Test func concurrentStreamsOfOneSessionAreSerialised() async throws {
        try await withTally(testing: .live) { client async throws in
            try await client.post(path + "/events", message(entry("SESSION_START", 1)))
            let port = client.port!
            try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<100 {
                    group.addTask {
                        try await postConcurrently(port: port, path + "/events", message(entry("EVENT", Int64(2 + i % 7), name: "e\(i)")))
                    }
                }
                for try await status in group { #expect(status == 202) }
            }
            let tree = try await client.get(path).json
            let children = tree["children"] as? [[String: Any]] ?? []
            #expect(children.count == 100)
            let times = children.compactMap { $0["timestamp"] as? Int }
            #expect(times == times.sorted())
            #expect(try await client.get(path + "/events?after=0&timeout=0").json["total"] as? Int == 101)
        }
    }

    @Test func restartServesEverySessionAsBefore() async throws {
        let directory = TemporaryDirectory()
        let before = try await withTally(directory: directory) { client in
            try await client.post(path + "/events", message(entry("SESSION_START", 1), entry("EVENT", 3), entry("EVENT", 2)))
            try await client.post(
                "/sessions/done/events", message(entry("SESSION_START", 5, session: "done"), entry("SESSION_END", 6, session: "done")))
            return [try await client.get(path).text, try await client.get("/sessions/done").text]
        }
        try await withTally(directory: directory) { client in
            #expect([try await client.get(path).text, try await client.get("/sessions/done").text] == before)
            // The open session goes on where it was.
            #expect(
                try await client.post(path + "/events", message(entry("SESSION_END", 9))).text
                    == "{\"accepted\":1,\"total\":4,\"complete\":true}\n")
            let listing = try await client.get("/sessions?status=complete").json["sessions"] as? [[String: Any]] ?? []
            #expect(Set(listing.compactMap { $0["id"] as? String }) == [sessionId, "done"])
            #expect(try await client.get("/sessions?status=nope").status == .badRequest)
        }
    }

    @Test func abandonedAfterTheTimeout() async throws {
        var configuration = ServerConfiguration()
        configuration.sessionTimeout = .milliseconds(0)
        try await withTally(configuration: configuration) { client in
            try await client.post(path + "/events", message(entry("SESSION_START", 1)))
            // The test clock stands still, so with a zero timeout the session is abandoned at once.
            #expect(try await client.get(path).json["status"] as? String == "open")
        }
    }
}
