import Testing

@testable import TallyCore

/// Inputs a hostile or careless client sends: each must cost that input only (a clear field error), never another
/// user's key, a trap or a wrong answer for anyone else.
@Suite("Hostile input in the core")
struct HostileInputTests {
    private func heartbeat(user: String) -> String {
        #"{"userId":"\#(user)","movieId":"m","duration":10,"position":1,"timestamp":"2021-10-26T13:27:01Z"}"#
    }

    @Test(arguments: [#"victim\u0000x"#, #"a\u001fb"#, #"tab\there"#, #"del\u007F"#, "line\\nbreak"])
    func idsWithControlCharactersAreRejectedNamingTheField(user: String) {
        let errors = fieldErrors(heartbeat(user: user))
        #expect(errors.map(\.error.field) == ["userId"])
        #expect(errors.map(\.error.code) == [.invalidValue])
        #expect(errors.first?.error.message.contains("control character") == true)
    }

    @Test func aLoneSurrogateIsAnInvalidValueNotAMissingField() {
        let errors = fieldErrors(heartbeat(user: #"x\ud800y"#))
        #expect(errors.map(\.error.field) == ["userId"])
        #expect(errors.map(\.error.code) == [.invalidValue])
    }

    @Test func nonASCIIIdsAreKeptWhole() throws {
        let beats = try decodeHeartbeats(heartbeat(user: "Jürgen Müller 🎬"), shape: .single)
        #expect(beats.map(\.userId) == ["Jürgen Müller 🎬"])
    }

    @Test(arguments: [
        ("J%C3%BCrgen%20M%C3%BCller", "Jürgen Müller"), ("a%2Fb", "a/b"), ("100%25", "100%"), ("a+b", "a+b"),
        ("plain", "plain"), ("%E2%82%AC", "€"),
    ])
    func percentDecodingRoundTrips(raw: String, decoded: String) throws {
        #expect(try PercentDecoding.decode(raw[...], field: "user").get() == decoded)
    }

    @Test(arguments: ["%ZZ", "abc%", "abc%4", "%C3", "%FF%FE", "%ED%A0%80"])
    func invalidEscapesAndInvalidUTF8AreErrorsNamingTheField(raw: String) {
        guard case .failure(let error) = PercentDecoding.decode(raw[...], field: "user") else {
            Issue.record("\(raw) decoded")
            return
        }
        #expect(error.field == "user")
        #expect(error.code == .invalidValue)
    }

    @Test func queryStringsAreDecodedStrictly() throws {
        let parameters = try PercentDecoding.queryParameters("timestamp=1&user=J%C3%BCrgen%20M&click")
        #expect(parameters.map { "\($0.name)=\($0.value)" } == ["timestamp=1", "user=Jürgen M", "click="])
        #expect(throws: FieldError.self) { try PercentDecoding.queryParameters("timestamp=1&user=%ZZ&click") }
        #expect(throws: FieldError.self) { try PercentDecoding.queryParameters("timestamp=1&user=%FF&click") }
    }

    @Test func adUsersWithControlCharactersAreRejected() {
        let parser = AdQueryParser()
        #expect(throws: FieldError.self) {
            try parser.event([(name: "timestamp", value: "1"), (name: "user", value: "a\u{0}b"), (name: "click", value: "")])
        }
    }

    @Test func watchTimeSumsNeverTrap() {
        // Two viewers each at the largest watch time a key can reach: the title's total must not overflow.
        var totals = ContentTotals()
        let huge = PlaybackState(
            position: 0, latestAt: Timestamp(millisecondsSinceEpoch: 0), lastSeenAt: Timestamp(millisecondsSinceEpoch: 0),
            maxPosition: 0, duration: nil, watchMilliseconds: .max, events: .max)
        totals.replace(old: nil, with: huge)
        totals.replace(old: nil, with: huge)
        var smaller = huge
        smaller.watchMilliseconds = 5
        totals.replace(old: (huge.watchMilliseconds, huge.events), with: smaller)
        #expect(totals.watchMilliseconds == .max)
        #expect(totals.exactWatchMilliseconds == Int128(Int64.max) + 5)
        totals.replace(old: (huge.watchMilliseconds, huge.events), with: smaller)
        #expect(totals.watchMilliseconds == 10)
        #expect(totals.viewers == 2)

        let titles = [("m", huge), ("n", huge)].map { (content: $0.0, state: $0.1) }
        #expect(PlaybackQueries.watchTime(titles).total == .max)
    }

    @Test func theProcessorNeverTrapsOnExtremeStates() {
        let processor = PlaybackProcessor()
        let extreme = PlaybackState(
            position: .min, latestAt: Timestamp(millisecondsSinceEpoch: .min), lastSeenAt: Timestamp(millisecondsSinceEpoch: .min),
            maxPosition: .min, duration: nil, watchMilliseconds: .max, events: 0)
        let beat = Heartbeat(userId: "u", movieId: "m", duration: 10, position: 5, timestamp: Timestamp(millisecondsSinceEpoch: .max))
        let next = processor.apply(ReceivedEvent(.heartbeat(beat), receivedAt: Timestamp(millisecondsSinceEpoch: 0)), to: extreme)
        #expect(next.watchMilliseconds == .max)
        #expect(next.position == 5)
        let watch = WatchEvent(user: "u", slug: "m", at: .max)
        let after = processor.apply(ReceivedEvent(.watch(watch), receivedAt: Timestamp(millisecondsSinceEpoch: 0)), to: next)
        #expect(after.watchMilliseconds == .max)
    }

    @Test func sessionSeqsAreContiguousSoAnAckMeansStored() throws {
        let header = SessionHeader(id: "s", lastActivity: Timestamp(millisecondsSinceEpoch: 0))
        let start = SessionMessage(entries: [SessionEntry(kind: .start(sessionId: "s"), timestamp: 1)], seq: 1)
        let first = try header.plan(start, receivedAt: Timestamp(millisecondsSinceEpoch: 1), limits: .default)
        let ahead = SessionMessage(entries: [SessionEntry(kind: .event(name: "x"), timestamp: 2)], seq: 3)
        #expect(throws: SessionError(.seqGap, "seq 3 is ahead of this session: the next seq must be 2", field: "seq")) {
            try first.header.plan(ahead, receivedAt: Timestamp(millisecondsSinceEpoch: 2), limits: .default)
        }
        let silencer = SessionMessage(entries: [SessionEntry(kind: .event(name: "x"), timestamp: 2)], seq: .max)
        #expect(throws: SessionError.self) {
            try first.header.plan(silencer, receivedAt: Timestamp(millisecondsSinceEpoch: 2), limits: .default)
        }
        let next = SessionMessage(entries: [SessionEntry(kind: .event(name: "x"), timestamp: 2)], seq: 2)
        let second = try first.header.plan(next, receivedAt: Timestamp(millisecondsSinceEpoch: 2), limits: .default)
        #expect(second.duplicate == false)
        #expect(second.header.lastSeq == 2)
        #expect(try second.header.plan(start, receivedAt: Timestamp(millisecondsSinceEpoch: 3), limits: .default).duplicate)
    }
}
