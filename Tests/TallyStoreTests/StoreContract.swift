import Synchronization
import TallyCore
import Testing

@testable import TallyPipeline
@testable import TallySQLite

/// Behaviour every backend must have. `open` opens the same storage each time it is called (so a check can close
/// and reopen it), and storage no other check uses. `SQLiteContractTests` and `PostgresContractTests` run them all.
enum StoreContract {
    typealias Opener = @Sendable () async throws -> any TallyStorage

    /// Every check, for the backends' parameterized tests.
    enum Check: String, CaseIterable, Sendable {
        case playbackRoundTrip, playbackStatesAccumulate, adCountsAreExactPerHour, repeatedUserInOneBatchCountsOnce
        case resumeWindows, heartbeatReplay, sessions

        func run(_ open: Opener) async throws {
            switch self {
            case .playbackRoundTrip: try await StoreContract.playbackRoundTrip(open)
            case .playbackStatesAccumulate: try await StoreContract.playbackStatesAccumulate(open)
            case .adCountsAreExactPerHour: try await StoreContract.adCountsAreExactPerHour(open)
            case .repeatedUserInOneBatchCountsOnce: try await StoreContract.repeatedUserInOneBatchCountsOnce(open)
            case .resumeWindows: try await StoreContract.resumeWindows(open)
            case .heartbeatReplay: try await StoreContract.heartbeatReplay(open)
            case .sessions: try await StoreContract.sessions(open)
            }
        }
    }

    static func ad(_ user: String, _ ms: Int64, _ interaction: AdInteraction) -> AdEvent {
        AdEvent(timestamp: Timestamp(millisecondsSinceEpoch: ms), user: user, interaction: interaction)
    }

    static func playbackRoundTrip(_ open: Opener) async throws {
        let events = [
            heartbeat("a", "m", position: 0, second: 0), heartbeat("a", "m", position: 10, second: 10),
            ReceivedEvent(.watch(WatchEvent(user: "b", slug: "s", at: 40)), receivedAt: Timestamp(secondsSinceEpoch: 5)),
        ]
        let states = PlaybackProcessor().plan(events) { _ in nil }
        let store = try await open()
        #expect(try await store.append(CommitBatch(events: events, states: states)) == states)
        try await store.close()
        let reopened = try await open()
        #expect(try await reopened.loadPlaybackStates() == states)
        #expect(try await reopened.countEvents(.heartbeat) == 2)
        #expect(try await reopened.countEvents(.watch) == 1)
        try await reopened.checkHealth()
        try await reopened.close()
    }

    /// A later batch continues from the committed state of its key.
    static func playbackStatesAccumulate(_ open: Opener) async throws {
        let store = try await open()
        let processor = PlaybackProcessor()
        let first = processor.plan([heartbeat("a", "m", position: 0, second: 0)]) { _ in nil }
        try await store.append(CommitBatch(events: [heartbeat("a", "m", position: 0, second: 0)], states: first))
        let second = processor.plan([heartbeat("a", "m", position: 10, second: 10)]) { first[$0] }
        try await store.append(CommitBatch(events: [heartbeat("a", "m", position: 10, second: 10)], states: second))
        let loaded = try await store.loadPlaybackStates()
        #expect(loaded.count == 1)
        #expect(loaded[PlaybackKey(user: "a", content: "m")]?.watchMilliseconds == 10_000)
        #expect(loaded[PlaybackKey(user: "a", content: "m")]?.events == 2)
        try await store.close()
    }

    /// A user counts once per hour whatever mix of clicks and impressions, across batches and reopening; hours
    /// are separate and the boundary is exact to the millisecond.
    static func adCountsAreExactPerHour(_ open: Opener) async throws {
        let store = try await open()
        let hour: Int64 = 1_700_002_800_000
        try await store.append(
            CommitBatch(ads: [
                ad("alice", hour, .click), ad("alice", hour + 5, .impression), ad("bob", hour + 3_599_999, .impression),
                ad("carol", hour - 1, .click),
            ]))
        try await store.close()
        let reopened = try await open()
        try await reopened.append(CommitBatch(ads: [ad("alice", hour + 10, .click), ad("dave", hour + 3_600_000, .click)]))
        #expect(try await reopened.adCounts(AdHour(startMilliseconds: hour)) == AdHourCounts(uniqueUsers: 2, clicks: 2, impressions: 2))
        #expect(
            try await reopened.adCounts(AdHour(startMilliseconds: hour - 3_600_000))
                == AdHourCounts(uniqueUsers: 1, clicks: 1, impressions: 0))
        #expect(
            try await reopened.adCounts(AdHour(startMilliseconds: hour + 3_600_000))
                == AdHourCounts(uniqueUsers: 1, clicks: 1, impressions: 0))
        #expect(try await reopened.adCounts(AdHour(startMilliseconds: 0)) == .zero)
        try await reopened.close()
    }

    /// The same user many times in one batch is still one unique user.
    static func repeatedUserInOneBatchCountsOnce(_ open: Opener) async throws {
        let store = try await open()
        let hour: Int64 = 1_700_002_800_000
        try await store.append(CommitBatch(ads: (0..<50).map { ad("u\($0 % 7)", hour + Int64($0), $0 % 3 == 0 ? .click : .impression) }))
        #expect(try await store.adCounts(AdHour(startMilliseconds: hour)) == AdHourCounts(uniqueUsers: 7, clicks: 17, impressions: 33))
        let day = AdHour(startMilliseconds: hour - 23 * AdHour.milliseconds)...AdHour(startMilliseconds: hour)
        #expect(
            try await store.adCounts(day) == [AdHour(startMilliseconds: hour): AdHourCounts(uniqueUsers: 7, clicks: 17, impressions: 33)])
        let before = AdHour(startMilliseconds: hour - 2 * AdHour.milliseconds)...AdHour(startMilliseconds: hour - AdHour.milliseconds)
        #expect(try await store.adCounts(before).isEmpty)
        try await store.close()
    }

    static func resumeWindows(_ open: Opener) async throws {
        let store = try await open()
        func record(_ user: String, minute: Int64, revision: Int, _ json: String) -> ResumeRecord {
            let start = 1_700_000_040_000 + minute * 60_000
            return ResumeRecord(stored: user, start: start, end: start + 60_000, revision: revision, json: json)
        }
        try await store.saveResumeWindows([
            record("a", minute: 0, revision: 0, "[1]"), record("a", minute: 1, revision: 0, "[2]"),
            record("b", minute: 0, revision: 0, "[3]"),
        ])
        // A revision replaces its window; an older revision arriving late does not.
        try await store.saveResumeWindows([record("a", minute: 0, revision: 2, "[9]")])
        try await store.saveResumeWindows([record("a", minute: 0, revision: 1, "[8]")])
        let first = try await store.resumeWindow(user: "a", start: Timestamp(millisecondsSinceEpoch: 1_700_000_040_000))
        #expect(first?.json == Array("[9]".utf8))
        #expect(first?.revision == 2)
        #expect(first?.window.unit == .minute)
        #expect(try await store.latestResumeWindow(user: "a")?.json == Array("[2]".utf8))
        #expect(try await store.latestResumeWindow(user: "b")?.json == Array("[3]".utf8))
        #expect(try await store.latestResumeWindow(user: "c") == nil)
        #expect(try await store.lastResumeWindowEnd() == Timestamp(millisecondsSinceEpoch: 1_700_000_040_000 + 120_000))
        let fromMinuteOne = Mutex<[String]>([])
        try await store.storedResumeWindows(startingFrom: Timestamp(millisecondsSinceEpoch: 1_700_000_040_000 + 60_000)) { records in
            fromMinuteOne.withLock { $0 += records.map { "\($0.userId) \($0.revision) \(String(decoding: $0.json, as: UTF8.self))" } }
        }
        #expect(fromMinuteOne.withLock { $0 } == ["a 0 [2]"])
        let all = Mutex(0)
        try await store.storedResumeWindows(startingFrom: Timestamp(millisecondsSinceEpoch: 0)) { records in
            all.withLock { $0 += records.count }
        }
        #expect(all.withLock { $0 } == 3)
        #expect(try await store.pruneResumeWindows(before: Timestamp(millisecondsSinceEpoch: 1_700_000_040_000 + 60_000)) == 2)
        #expect(try await store.resumeWindow(user: "b", start: Timestamp(millisecondsSinceEpoch: 1_700_000_040_000)) == nil)
        try await store.close()
    }

    static func heartbeatReplay(_ open: Opener) async throws {
        let store = try await open()
        let events = (0..<5).map { heartbeat("u", "m", position: Int64($0) * 10, second: Int64($0) * 10) }
        try await store.append(CommitBatch(events: events, states: PlaybackProcessor().plan(events) { _ in nil }))
        #expect(try await store.latestHeartbeatTime() == Timestamp(secondsSinceEpoch: 1_635_254_400 + 40))
        // Later commits: one entirely before the replay's start, one that mixes late and new heartbeats.
        let old = [heartbeat("v", "m", position: 105, second: 5), heartbeat("v", "m", position: 115, second: 15)]
        try await store.append(CommitBatch(events: old, states: PlaybackProcessor().plan(old) { _ in nil }))
        let mixed = [heartbeat("w", "m", position: 110, second: 10), heartbeat("w", "m", position: 150, second: 50)]
        try await store.append(CommitBatch(events: mixed, states: PlaybackProcessor().plan(mixed) { _ in nil }))
        #expect(try await store.latestHeartbeatTime() == Timestamp(secondsSinceEpoch: 1_635_254_400 + 50))
        let replayed = Mutex<[Int64]>([])
        try await store.replayHeartbeats(from: Timestamp(secondsSinceEpoch: 1_635_254_400 + 20)) { batch in
            replayed.withLock { $0 += batch.map(\.position) }
        }
        #expect(replayed.withLock { $0 } == [20, 30, 40, 150])
        // The bound a range query checks before it replays: never below what the replay reads.
        for second: Int64 in [0, 20, 45, 51] {
            let from = Timestamp(secondsSinceEpoch: 1_635_254_400 + second)
            let read = Mutex(0)
            try await store.replayHeartbeats(from: from) { batch in read.withLock { $0 += batch.count } }
            let bound = try await store.heartbeatsToReplay(from: from)
            #expect(bound >= read.withLock { $0 } && bound <= 9, "from +\(second) s: bound \(bound)")
        }
        #expect(try await store.heartbeatsToReplay(from: Timestamp(secondsSinceEpoch: 1_635_254_400 + 51)) == 0)
        try await store.close()
    }

    static func sessions(_ open: Opener) async throws {
        let store = try await open()
        let now = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
        let start = SessionEntry(kind: .start(sessionId: "s1"), timestamp: 100)
        let event = SessionEntry(kind: .event(name: "play"), timestamp: 150)
        let end = SessionEntry(kind: .end(sessionId: "s1"), timestamp: 200)
        let open1 = SessionHeader(id: "s1", start: start, entryCount: 2, lastSeq: 1, lastActivity: now)
        try await store.append(CommitBatch(sessions: [SessionCommit(header: open1, stored: [(1, start), (2, event)])]))
        let done = SessionHeader(id: "s1", start: start, end: end, entryCount: 3, lastSeq: 2, lastActivity: now)
        try await store.append(CommitBatch(sessions: [SessionCommit(header: done, stored: [(3, end)], tree: Array("{}".utf8))]))
        let stale = SessionHeader(id: "s2", entryCount: 0, lastActivity: Timestamp(millisecondsSinceEpoch: 0))
        try await store.append(CommitBatch(sessions: [SessionCommit(header: stale, stored: [])]))
        #expect(try await store.sessionHeader(id: "s1") == done)
        #expect(try await store.sessionHeader(id: "nope") == nil)
        #expect(try await store.sessionEntries(id: "s1", after: 1, limit: 10).map(\.entry) == [event, end])
        #expect(try await store.sessionTree(id: "s1") == Array("{}".utf8))
        let all = try await store.listSessions(status: nil, limit: 10, now: now, abandonAfter: .seconds(60))
        #expect(all.map(\.id) == ["s1", "s2"])
        #expect(try await store.listSessions(status: .abandoned, limit: 10, now: now, abandonAfter: .seconds(60)).map(\.id) == ["s2"])
        #expect(try await store.listSessions(status: .complete, limit: 10, now: now, abandonAfter: .seconds(60)).map(\.id) == ["s1"])
        #expect(try await store.listSessions(status: .open, limit: 10, now: now, abandonAfter: .seconds(60)).isEmpty)
        try await store.close()
    }
}

@Suite("Store contract: SQLite")
struct SQLiteContractTests {
    let directory = TemporaryDirectory()
    var open: StoreContract.Opener { { [path = directory.path] in try SQLiteEventStore(directory: path) } }

    @Test(arguments: StoreContract.Check.allCases)
    func contract(_ check: StoreContract.Check) async throws { try await check.run(open) }

    @Test func unusableDirectoryIsAClearError() {
        #expect(throws: StoreError.self) { try SQLiteEventStore(directory: "/proc/tally-cannot-create-here") }
    }
}
