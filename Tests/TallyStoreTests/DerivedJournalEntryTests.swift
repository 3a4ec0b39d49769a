import TallyCore
import Testing

@testable import TallyPipeline
@testable import TallySQLite

@Suite("Derived-state journal entries")
struct DerivedJournalEntryTests {
    static let states: [PlaybackKey: PlaybackState] = [
        PlaybackKey(user: "u1", content: "m1"): PlaybackState(
            position: 42, latestAt: Timestamp(millisecondsSinceEpoch: 1_635_254_400_123), lastSeenAt: Timestamp(millisecondsSinceEpoch: -5),
            maxPosition: 99, duration: 7200, watchMilliseconds: .max, events: 3),
        PlaybackKey(user: "ü\u{0}2", content: ""): PlaybackState(
            position: 0, latestAt: Timestamp(millisecondsSinceEpoch: .min), lastSeenAt: Timestamp(millisecondsSinceEpoch: .max),
            maxPosition: 0, duration: nil, watchMilliseconds: 0, events: 1),
    ]

    static let output = ResumeWindowOutput(
        window: WindowUnit.minute.window(containing: Timestamp(secondsSinceEpoch: 1_635_254_430)), userId: "u1",
        points: [
            ResumePoint(movieId: "m1", position: 10, timestamp: Timestamp(millisecondsSinceEpoch: 1_635_254_401_500), arrival: 7),
            ResumePoint(movieId: "m\"2", position: 20, timestamp: Timestamp(secondsSinceEpoch: 1_635_254_402), arrival: 8),
        ], revision: 3)

    static let records = [
        ResumeRecord(output),
        ResumeRecord(stored: "u2", start: 1_635_254_400_000, end: 1_635_254_460_000, revision: 0, json: #"[{"movieId":"x"}]"#),
    ]

    @Test func statesAndArraysComeBackAsTheyWere() throws {
        let entry = try DerivedJournalEntry.decode(DerivedJournalEntry.encode(states: Self.states, records: Self.records))
        #expect(Dictionary(uniqueKeysWithValues: entry.states.map { ($0.key, $0.state) }) == Self.states)
        // The array kept as points is rendered again to the same JSON.
        #expect(entry.records == Self.records)
        #expect(entry.records.map(\.window) == Self.records.map(\.window))
    }

    @Test func anArrayTakesFarFewerBytesThanItsJSON() {
        let bytes = DerivedJournalEntry.encode(states: [:], records: [Self.records[0]])
        #expect(bytes.count * 2 < Self.records[0].json.count, "\(bytes.count) bytes for \(Self.records[0].json.count) of JSON")
    }

    @Test func everyDamagedEntryIsRefusedNeverApplied() {
        let bytes = DerivedJournalEntry.encode(states: Self.states, records: Self.records)
        for length in 0..<bytes.count {
            #expect(throws: ByteReader.Failure.self) { try DerivedJournalEntry.decode(Array(bytes.prefix(length))) }
        }
        #expect(throws: ByteReader.Failure.self) { try DerivedJournalEntry.decode(bytes + [0]) }
        var flipped = bytes
        flipped[0] = UInt8(ascii: "X")
        #expect(throws: ByteReader.Failure.self) { try DerivedJournalEntry.decode(flipped) }
    }
}
