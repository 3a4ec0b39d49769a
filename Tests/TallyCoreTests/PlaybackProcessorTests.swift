import Testing

@testable import TallyCore

private let t0: Int64 = 1_635_254_400_000

private func beat(_ user: String = "u", _ movie: String = "m", pos: Int64, at seconds: Int64, duration: Int64 = 3600) -> ReceivedEvent {
    ReceivedEvent(
        .heartbeat(
            Heartbeat(
                userId: user, movieId: movie, duration: duration, position: pos,
                timestamp: Timestamp(millisecondsSinceEpoch: t0 + seconds * 1000))),
        receivedAt: Timestamp(millisecondsSinceEpoch: t0 + 100_000))
}

private func watch(_ at: Int64, user: String = "u", slug: String = "s", arrival: Int64) -> ReceivedEvent {
    ReceivedEvent(.watch(WatchEvent(user: user, slug: slug, at: at)), receivedAt: Timestamp(millisecondsSinceEpoch: t0 + arrival))
}

private func run(_ events: [ReceivedEvent], rules: PlaybackRules = PlaybackRules()) -> [PlaybackKey: PlaybackState] {
    PlaybackProcessor(rules: rules).plan(events) { _ in nil }
}

@Suite("Playback processor: heartbeats")
struct HeartbeatWatchTimeTests {
    let key = PlaybackKey(user: "u", content: "m")

    @Test func steadyPlaybackCountsElapsedTime() {
        let events = (0..<7).map { beat(pos: 100 + $0 * 10, at: $0 * 10) }
        let state = run(events)[key]!
        #expect(state.watchMilliseconds == 60_000)
        #expect(state.position == 160)
        #expect(state.events == 7)
    }

    @Test func pauseAddsNothing() {
        let state = run([beat(pos: 50, at: 0), beat(pos: 50, at: 10), beat(pos: 50, at: 20), beat(pos: 60, at: 30)])[key]!
        #expect(state.watchMilliseconds == 10_000)
    }

    @Test func seekForwardCountsOnlyElapsedTime() {
        // Jumped from 100 to 900 within 10 s of wall time: at most 10 s were watched.
        let state = run([beat(pos: 100, at: 0), beat(pos: 900, at: 10)])[key]!
        #expect(state.watchMilliseconds == 10_000)
        #expect(state.maxPosition == 900)
    }

    @Test func rewindAddsNothingAndMovesPositionBack() {
        let state = run([beat(pos: 500, at: 0), beat(pos: 200, at: 10), beat(pos: 210, at: 20)])[key]!
        #expect(state.watchMilliseconds == 10_000)
        #expect(state.position == 210)
        #expect(state.maxPosition == 500)
    }

    @Test func duplicatesAddNothing() {
        let state = run([beat(pos: 0, at: 0), beat(pos: 10, at: 10), beat(pos: 10, at: 10), beat(pos: 10, at: 10)])[key]!
        #expect(state.watchMilliseconds == 10_000)
        #expect(state.events == 4)
    }

    @Test func outOfOrderHeartbeatsDoNotDoubleCountOrMoveLatest() {
        let inOrder = run([beat(pos: 0, at: 0), beat(pos: 10, at: 10), beat(pos: 20, at: 20)])[key]!
        let shuffled = run([beat(pos: 0, at: 0), beat(pos: 20, at: 20), beat(pos: 10, at: 10)])[key]!
        #expect(inOrder.watchMilliseconds == 20_000)
        #expect(shuffled.watchMilliseconds == 20_000)
        #expect(shuffled.position == 20)
        #expect(shuffled.latestAt == inOrder.latestAt)
    }

    @Test func gapsOverTheBoundAreNotCounted() {
        let rules = PlaybackRules(maxGapSeconds: 60)
        let state = run([beat(pos: 0, at: 0), beat(pos: 61, at: 61), beat(pos: 71, at: 71)], rules: rules)[key]!
        #expect(state.watchMilliseconds == 10_000)
        let relaxed = run([beat(pos: 0, at: 0), beat(pos: 61, at: 61)], rules: PlaybackRules(maxGapSeconds: 120))[key]!
        #expect(relaxed.watchMilliseconds == 61_000)
    }

    @Test func fractionalTimestampsCountMilliseconds() {
        var second = beat(pos: 10, at: 0)
        if case .heartbeat(var h) = second.event {
            h.timestamp.millisecondsSinceEpoch += 9_500
            second = ReceivedEvent(.heartbeat(h), receivedAt: second.receivedAt)
        }
        let state = run([beat(pos: 0, at: 0), second])[key]!
        #expect(state.watchMilliseconds == 9_500)
    }

    @Test func completionUsesFurthestPosition() {
        let state = run([beat(pos: 3000, at: 0, duration: 3097), beat(pos: 100, at: 10, duration: 3097)])[key]!
        #expect(state.duration == 3097)
        #expect(state.completion! > 0.96)
        #expect(state.isFinished(PlaybackRules()))
    }

    @Test func keysAreIndependent() {
        let changes = run([
            beat("a", "x", pos: 0, at: 0), beat("b", "x", pos: 5, at: 0), beat("a", "x", pos: 10, at: 10),
            beat("a", "y", pos: 10, at: 10),
        ])
        #expect(changes.count == 3)
        #expect(changes[PlaybackKey(user: "a", content: "x")]?.watchMilliseconds == 10_000)
        #expect(changes[PlaybackKey(user: "a", content: "y")]?.watchMilliseconds == 0)
    }

    @Test func planContinuesFromCurrentState() {
        let processor = PlaybackProcessor()
        let first = processor.plan([beat(pos: 0, at: 0)]) { _ in nil }
        let second = processor.plan([beat(pos: 10, at: 10)]) { first[$0] }
        #expect(second[key]?.watchMilliseconds == 10_000)
        #expect(first[key]?.watchMilliseconds == 0)
    }
}

@Suite("Playback processor: watch events")
struct WatchEventWatchTimeTests {
    let key = PlaybackKey(user: "u", content: "s")

    @Test func incrementModeSumsAt() {
        let state = run([watch(407, arrival: 0), watch(60, arrival: 1), watch(0, arrival: 2)])[key]!
        #expect(state.watchMilliseconds == 467_000)
        #expect(state.position == 0)
        #expect(state.events == 3)
    }

    @Test func positionModeCountsForwardProgressOnly() {
        let rules = PlaybackRules(watchAt: .position, maxGapSeconds: 60)
        // 0 → 30 (+30), 30 → 30 duplicate (+0), 30 → 10 rewind (+0), 10 → 40 (+30), 40 → 500 seek (+0), 500 → 520 (+20)
        let events = [0, 30, 30, 10, 40, 500, 520].enumerated().map { watch(Int64($0.element), arrival: Int64($0.offset)) }
        let state = run(events, rules: rules)[key]!
        #expect(state.watchMilliseconds == 80_000)
        #expect(state.position == 520)
        #expect(state.maxPosition == 520)
        #expect(state.duration == nil)
        #expect(state.completion == nil)
    }

    @Test func latestIsTheLatestArrival() {
        let state = run([watch(100, arrival: 5), watch(50, arrival: 9)])[key]!
        #expect(state.position == 50)
        #expect(state.latestAt == Timestamp(millisecondsSinceEpoch: t0 + 9))
    }
}

@Suite("Playback totals and queries")
struct PlaybackQueriesTests {
    @Test func totalsFollowPlannedStates() {
        let processor = PlaybackProcessor()
        var states: [PlaybackKey: PlaybackState] = [:]
        var totals: [String: ContentTotals] = [:]
        func install(_ changes: [PlaybackKey: PlaybackState]) {
            for (key, state) in changes {
                let old = states.updateValue(state, forKey: key)
                totals[key.content, default: ContentTotals()].replace(old: old.map { ($0.watchMilliseconds, $0.events) }, with: state)
            }
        }
        install(
            processor.plan([beat("a", "x", pos: 0, at: 0), beat("a", "x", pos: 10, at: 10), beat("b", "x", pos: 0, at: 0)]) { states[$0] })
        install(
            processor.plan([beat("b", "x", pos: 20, at: 20), beat("a", "y", pos: 0, at: 0), beat("a", "y", pos: 5, at: 5)]) { states[$0] })
        #expect(totals["x"] == ContentTotals(watchMilliseconds: 30_000, viewers: 2, events: 4))
        let titles = states.filter { $0.key.user == "a" }.map { (content: $0.key.content, state: $0.value) }
        let user = PlaybackQueries.watchTime(titles)
        #expect(user.total == 15_000)
        #expect(user.titles.map(\.content) == ["x", "y"])
    }

    @Test func continueWatchingPutsUnfinishedFirstThenMostRecent() {
        func state(seen: Int64, max: Int64) -> PlaybackState {
            PlaybackState(
                position: max, latestAt: Timestamp(millisecondsSinceEpoch: seen), lastSeenAt: Timestamp(millisecondsSinceEpoch: seen),
                maxPosition: max, duration: 100, watchMilliseconds: 0, events: 1)
        }
        let titles = [("old", state(seen: 1, max: 10)), ("done", state(seen: 3, max: 99)), ("recent", state(seen: 2, max: 50))]
            .map { (content: $0.0, state: $0.1) }
        let rows = PlaybackQueries.continueWatching(titles, rules: PlaybackRules(), limit: 10)
        #expect(rows.map(\.content) == ["recent", "old", "done"])
        #expect(PlaybackQueries.continueWatching(titles, rules: PlaybackRules(), limit: 1).map(\.content) == ["recent"])
    }
}

@Suite("README worked examples")
struct ReadmeExampleTests {
    @Test func heartbeatTable() throws {
        let rows: [(String, Int64)] = [
            ("13:27:01", 3000), ("13:27:11", 3010), ("13:27:21", 3010), ("13:27:31", 3500), ("13:27:41", 1200),
            ("13:27:41", 1200), ("13:27:36", 3505), ("13:29:41", 1320), ("13:29:51", 1330),
        ]
        let events = try rows.map { time, position in
            ReceivedEvent(
                .heartbeat(
                    Heartbeat(
                        userId: "u", movieId: "m", duration: 3600, position: position,
                        timestamp: try ISO8601.parse("2021-10-26T\(time)Z"))),
                receivedAt: Timestamp(millisecondsSinceEpoch: 0))
        }
        let state = run(events)[PlaybackKey(user: "u", content: "m")]!
        #expect(state.watchMilliseconds == 30_000)
        #expect(state.position == 1330)
        #expect(state.maxPosition == 3505)
    }

    @Test func watchEventModes() {
        let key = PlaybackKey(user: "u", content: "s")
        let increments = [407, 60, 0].enumerated().map { watch(Int64($0.element), arrival: Int64($0.offset)) }
        #expect(run(increments)[key]?.watchMilliseconds == 467_000)
        let positions = [0, 30, 30, 10, 40, 500, 520].enumerated().map { watch(Int64($0.element), arrival: Int64($0.offset)) }
        #expect(run(positions, rules: PlaybackRules(watchAt: .position))[key]?.watchMilliseconds == 80_000)
    }
}
