import Testing

@testable import TallyCore

private let id = "e6fa79ca-d142-4046-a134-5134f16a0b5e"

private func decode(_ text: String) throws(SessionError) -> SessionMessage {
    let bytes = Array(text.utf8)
    let result: Result<SessionMessage, SessionError> = bytes.withUnsafeBytes { raw in
        do throws(SessionError) { return .success(try SessionMessageDecoder().decode(raw)) } catch { return .failure(error) }
    }
    return try result.get()
}

private func start(_ t: Int64, _ session: String = id) -> SessionEntry { SessionEntry(kind: .start(sessionId: session), timestamp: t) }
private func end(_ t: Int64, _ session: String = id) -> SessionEntry { SessionEntry(kind: .end(sessionId: session), timestamp: t) }
private func event(_ name: String, _ t: Int64) -> SessionEntry { SessionEntry(kind: .event(name: name), timestamp: t) }

private func apply(
    _ messages: [SessionMessage], to header: SessionHeader = SessionHeader(id: id, lastActivity: Timestamp(millisecondsSinceEpoch: 0))
)
    throws(SessionError) -> (SessionHeader, [SessionEntry], [SessionPlan])
{
    var header = header
    var stored: [SessionEntry] = []
    var plans: [SessionPlan] = []
    for message in messages {
        let plan = try header.plan(message, receivedAt: Timestamp(millisecondsSinceEpoch: 1), limits: .default)
        header = plan.header
        stored += plan.stored.map(\.entry)
        plans.append(plan)
    }
    return (header, stored, plans)
}

@Suite("Session messages")
struct SessionMessageDecoderTests {
    @Test func decodesTheBriefsMessage() throws {
        let message = try decode(
            #"[{"timestamp":1569972082,"type":"SESSION_START","session_id":"\#(id)"},{"timestamp":1569972084,"type":"EVENT","name":"cart_load"}]"#
        )
        #expect(message == SessionMessage(entries: [start(1_569_972_082), event("cart_load", 1_569_972_084)]))
    }

    @Test func numberedMessages() throws {
        let message = try decode(#"{"seq":7,"entries":[{"timestamp":1,"type":"EVENT","name":"x"}]}"#)
        #expect(message.seq == 7)
        #expect(message.entries.count == 1)
    }

    @Test(arguments: [
        ("", SessionError.Code.invalidBody), ("{}", .invalidBody), ("42", .invalidBody), ("[", .malformedJSON),
        ("[]", .emptyMessage), (#"[{"timestamp":1}]"#, .invalidEntry), (#"[{"type":"EVENT","name":"x"}]"#, .invalidEntry),
        (#"[{"type":"PING","timestamp":1}]"#, .invalidEntry), (#"[{"type":"EVENT","timestamp":-1,"name":"x"}]"#, .invalidEntry),
        (#"[{"type":"EVENT","timestamp":1}]"#, .invalidEntry), (#"[{"type":"SESSION_START","timestamp":1}]"#, .invalidEntry),
        (#"[{"type":"EVENT","timestamp":1.5,"name":"x"}]"#, .invalidEntry), ("[1]", .invalidEntry),
        (#"{"seq":-1,"entries":[]}"#, .invalidBody), (#"{"seq":1,"entries":{}}"#, .invalidBody),
    ])
    func rejects(_ text: String, code: SessionError.Code) {
        #expect(throws: SessionError.self) { try decode(text) }
        do { _ = try decode(text) } catch { #expect(error.code == code, "\(text)") }
    }

    @Test func boundsEntriesPerMessage() {
        let entries = Array(repeating: #"{"type":"EVENT","timestamp":1,"name":"x"}"#, count: 1001).joined(separator: ",")
        do {
            _ = try decode("[\(entries)]")
            Issue.record("expected too_many_entries")
        } catch {
            #expect(error.code == .tooManyEntries)
            #expect(error.message.contains("1000"))
        }
    }
}

@Suite("Session rules")
struct SessionRulesTests {
    @Test func acceptsAShuffledSessionAndRendersItInOrder() throws {
        let (header, stored, plans) = try apply([
            SessionMessage(entries: [start(100), event("b", 105)]),
            SessionMessage(entries: [event("a", 103), event("c", 105), event("late", 99)]),
            SessionMessage(entries: [end(110)]),
        ])
        #expect(plans.map(\.accepted) == [2, 3, 1])
        #expect(header.entryCount == 6)
        var bytes: [UInt8] = []
        SessionTree.write(header: header, events: stored, status: .complete, into: &bytes)
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == #"{"type":"SESSION","start":100,"end":110,"status":"complete","children":[{"type":"EVENT","timestamp":99,"name":"late","outOfRange":true},{"type":"EVENT","timestamp":103,"name":"a"},{"type":"EVENT","timestamp":105,"name":"b"},{"type":"EVENT","timestamp":105,"name":"c"}]}"#
        )
    }

    @Test func millisecondsKeepTheirUnitAndSortWithSeconds() throws {
        let (header, stored, _) = try apply([
            SessionMessage(entries: [start(1_569_972_082), event("s", 1_569_972_083), event("ms", 1_569_972_082_500)])
        ])
        var bytes: [UInt8] = []
        SessionTree.write(header: header, events: stored, status: .open, into: &bytes)
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == #"{"type":"SESSION","start":1569972082,"end":null,"status":"open","children":[{"type":"EVENT","timestamp":1569972082500,"name":"ms"},{"type":"EVENT","timestamp":1569972083,"name":"s"}]}"#
        )
    }

    @Test func duplicateStartAndEndAreIdempotentOnlyWhenIdentical() throws {
        let (header, _, plans) = try apply([
            SessionMessage(entries: [start(100)]), SessionMessage(entries: [start(100), event("x", 101)]),
            SessionMessage(entries: [end(110)]), SessionMessage(entries: [end(110)]),
        ])
        #expect(plans.map(\.accepted) == [1, 1, 1, 0])
        #expect(header.entryCount == 3)
        do { _ = try apply([SessionMessage(entries: [start(101)])], to: header) } catch { #expect(error.code == .conflictingStart) }
        do { _ = try apply([SessionMessage(entries: [end(111)])], to: header) } catch { #expect(error.code == .conflictingEnd) }
        do { _ = try apply([SessionMessage(entries: [event("after", 112)])], to: header) } catch { #expect(error.code == .sessionComplete) }
    }

    @Test func firstEntryMustBeStartAndIdsMustMatch() {
        do {
            _ = try apply([SessionMessage(entries: [event("x", 1)])])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .notStarted)
        }
        do {
            _ = try apply([SessionMessage(entries: [start(1, "other")])])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .sessionIdMismatch)
            #expect(error.isProtocolViolation)
            #expect(error.closeCode == 4001)
        }
    }

    @Test func messagesAreAllOrNothing() throws {
        let (header, _, _) = try apply([SessionMessage(entries: [start(1)])])
        do {
            _ = try header.plan(
                SessionMessage(entries: [event("ok", 2), end(3), event("after", 4)]), receivedAt: Timestamp(millisecondsSinceEpoch: 0),
                limits: .default)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .sessionComplete)
            #expect(error.entry == 2)
        }
        #expect(header.entryCount == 1)
        #expect(header.end == nil)
    }

    @Test func resentSequenceNumbersAreAcknowledgedButNotApplied() throws {
        let (header, stored, plans) = try apply([
            SessionMessage(entries: [start(1)], seq: 1), SessionMessage(entries: [event("x", 2)], seq: 2),
            SessionMessage(entries: [event("x", 2)], seq: 2), SessionMessage(entries: [start(1)], seq: 1),
        ])
        #expect(plans.map(\.duplicate) == [false, false, true, true])
        #expect(stored.count == 2)
        #expect(header.lastSeq == 2)
    }

    @Test func sessionSizeIsBounded() throws {
        var limits = SessionLimits.default
        limits.maxEntriesPerSession = 3
        let header = SessionHeader(id: id, lastActivity: Timestamp(millisecondsSinceEpoch: 0))
        do {
            _ = try header.plan(
                SessionMessage(entries: [start(1), event("a", 2), event("b", 3), event("c", 4)]),
                receivedAt: Timestamp(millisecondsSinceEpoch: 0), limits: limits)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .sessionTooLarge)
        }
    }

    @Test func statusOpenCompleteAbandoned() {
        var header = SessionHeader(id: id, start: start(1), lastActivity: Timestamp(millisecondsSinceEpoch: 1_000))
        #expect(header.status(now: Timestamp(millisecondsSinceEpoch: 2_000), abandonAfter: .seconds(60)) == .open)
        #expect(header.status(now: Timestamp(millisecondsSinceEpoch: 62_000), abandonAfter: .seconds(60)) == .abandoned)
        header.end = end(5)
        #expect(header.status(now: Timestamp(millisecondsSinceEpoch: 62_000), abandonAfter: .seconds(60)) == .complete)
    }
}
