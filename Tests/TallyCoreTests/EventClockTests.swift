import Testing

@testable import TallyCore

/// A frame for the counter: user, time in seconds, partition.
struct ClockFrame {
    var user: String
    var seconds: Int64
    var partition = 0
}

/// Counts frames through a `UniqueWindowCounter` (exact) and returns the latest result per window plus statistics.
func countFrames(
    _ frames: [ClockFrame], configuration: CountConfiguration = CountConfiguration(exact: true),
    partitions: [Int] = [], idleAtEnd: Bool = false
) -> (latest: [String: Int], statistics: CountStatistics) {
    var counter = UniqueWindowCounter(configuration: configuration)
    for partition in partitions { counter.register(partition: partition, clockMs: 0) }
    var outputs: [CountResult] = []
    var previous: Int? = nil
    for frame in frames {
        if idleAtEnd, let previous, previous != frame.partition { counter.partitionIdle(previous, into: &outputs) }
        previous = frame.partition
        Array(frame.user.utf8).withUnsafeBytes { user in
            counter.add(
                hash: XXHash64.hash(user), user: user, time: Timestamp(secondsSinceEpoch: frame.seconds),
                partition: frame.partition, into: &outputs)
        }
    }
    counter.finish(into: &outputs)
    var latest: [String: Int] = [:]
    for result in outputs { latest["\(result.window.unit) \(result.window.start)"] = result.uniques }
    return (latest, counter.statistics)
}

/// `count` frames from `users` users, one second apart from `start`, with a little disorder (within the lateness).
func steadyFrames(count: Int, users: UInt64, start: Int64, seed: UInt64 = 1) -> [ClockFrame] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { i in
        ClockFrame(user: "u\(rng.next() % users)", seconds: start + Int64(i) - Int64(rng.next() % 3))
    }
}

@Suite("Event clock: partitions, idleness and outliers")
struct EventClockTests {
    static let start: Int64 = 1_468_244_384  // 2016-07-11T13:39:44Z

    @Test func aFarFutureFrameCostsOnlyItself() {
        let frames = steadyFrames(count: 20_000, users: 500, start: Self.start)
        let baseline = countFrames(frames)
        for (index, ahead) in [(7_000, Int64(16_384)), (0, 10_000_000_000), (19_990, 4_000_000)] {
            var bad = frames
            bad.insert(ClockFrame(user: "mallory", seconds: frames[index].seconds + ahead), at: index)
            let run = countFrames(bad)
            #expect(run.latest == baseline.latest, "a frame \(ahead) s ahead at \(index)")
            #expect(run.statistics.rejectedOutliers == 1)
            #expect(run.statistics.rejectedTooOld == 0)
            #expect(run.statistics.counted == frames.count)
        }
    }

    @Test func aFirstFrameFarInThePastOpensOnlyItsOwnWindow() {
        let frames = steadyFrames(count: 5_000, users: 300, start: Self.start)
        let baseline = countFrames(frames)
        let early = ClockFrame(user: "early", seconds: Self.start - 388 * 86_400)
        let run = countFrames([early] + frames)
        var expected = baseline.latest
        for unit in CountConfiguration.supportedUnits {
            let window = unit.window(containing: Timestamp(secondsSinceEpoch: early.seconds))
            let key = "\(unit) \(window.start)"
            expected[key] = (baseline.latest[key] ?? 0) + 1
        }
        #expect(run.latest == expected)
        #expect(run.statistics.counted == frames.count + 1)
    }

    @Test func aGapOfDaysIsCountedInFull() {
        let first = steadyFrames(count: 3_000, users: 200, start: Self.start, seed: 2)
        let second = steadyFrames(count: 3_000, users: 200, start: Self.start + 3 * 86_400, seed: 3)
        let run = countFrames(first + second)
        #expect(run.statistics.counted == 6_000)
        #expect(run.statistics.rejectedOutliers == 0)
        #expect(run.statistics.late == 0)
        let days = Set((first + second).map { WindowUnit.day.window(containing: Timestamp(secondsSinceEpoch: $0.seconds)).start })
        for day in days {
            let users = Set(
                (first + second).filter { WindowUnit.day.window(containing: Timestamp(secondsSinceEpoch: $0.seconds)).start == day }.map(
                    \.user))
            #expect(run.latest["day \(day)"] == users.count)
        }
    }

    @Test func partitionsReadOneAfterAnotherCountLikeOneOrderedStream() {
        // Nine hours dealt by user to four partitions, then read partition by partition (as a consumer does when
        // one partition's batches come first): every partition's frames must still be counted in their windows.
        var frames = steadyFrames(count: 9 * 3_600 / 2, users: 400, start: Self.start, seed: 4)
        for index in frames.indices { frames[index].seconds = Self.start + Int64(index) * 2 }
        let baseline = countFrames(frames)
        var dealt = frames
        for index in dealt.indices { dealt[index].partition = Int(XXHash64.hash(dealt[index].user) % 4) }
        let skewed = (0..<4).flatMap { partition in dealt.filter { $0.partition == partition } }
        let run = countFrames(skewed, partitions: [0, 1, 2, 3], idleAtEnd: false)
        #expect(run.latest == baseline.latest)
        #expect(run.statistics.rejectedTooOld == 0)
        #expect(run.statistics.late == 0)
        // Without registering the partitions first, the first partition alone would set the time.
        let unregistered = countFrames(skewed)
        #expect(unregistered.statistics.rejectedTooOld > 0)
    }

    @Test func anIdlePartitionStopsHoldingTheWatermarkBackAndHoldsItAgainWithNewEvents() {
        var clock = EventClock<Int>(
            configuration: EventClockConfiguration(lateness: .seconds(5), idleTimeout: .seconds(5), corroboration: 1))
        clock.register(partition: 1, clockMs: 0)
        #expect(clock.admit(time: 100_000, key: 1, partition: 0, clockMs: 0) == false)  // first event: held until corroborated
        clock.hold(0, key: 1, time: 100_000, partition: 0)
        let released = clock.popReleased()?.held.time
        #expect(released == 100_000)
        #expect(clock.trust(time: 100_000, partition: 0) == false)  // partition 1 has nothing yet: no watermark
        #expect(clock.current == nil)
        clock.noteIdle(clockMs: 4_999)
        let check1 = clock.advanceIdle(clockMs: 4_999)
        #expect(check1 == false)
        let check2 = clock.admit(time: 101_000, key: 1, partition: 0, clockMs: 5_000)
        #expect(check2)
        clock.noteIdle(clockMs: 5_000)  // partition 1: silent for 5 s since it was registered
        let check3 = clock.advanceIdle(clockMs: 5_000)
        #expect(check3)
        #expect(clock.current == Timestamp(millisecondsSinceEpoch: 95_000))
        // Partition 1 comes back with older events: it holds the clock again (which never moves back).
        let check4 = clock.admit(time: 50_000, key: 2, partition: 1, clockMs: 6_000)
        #expect(check4 == false)
        clock.hold(1, key: 2, time: 50_000, partition: 1)
        while clock.popReleased() != nil {}
        _ = clock.trust(time: 50_000, partition: 1)
        let check5 = clock.trust(time: 200_000, partition: 0)
        #expect(check5 == false)
        #expect(clock.current == Timestamp(millisecondsSinceEpoch: 95_000))
        #expect(clock.partitionsAhead(by: .seconds(60)) == [0])
    }

    @Test func aJumpNeedsExactlyTheCorroboratingKeysAndHoldingIsBounded() {
        let configuration = EventClockConfiguration(lateness: .seconds(5), maxJump: .seconds(60), corroboration: 3, maxHeld: 100)
        var clock = EventClock<Int>(configuration: configuration)
        for key in UInt64(1)...3 {
            if !clock.admit(time: 0, key: key, partition: 0, clockMs: nil) { clock.hold(0, key: key, time: 0, partition: 0) }
        }
        while let released = clock.popReleased() { _ = clock.trust(time: released.held.time, partition: 0) }
        #expect(clock.current == Timestamp(millisecondsSinceEpoch: -5_000))
        // One client far ahead, many times: never enough keys; at most `maxHeld` kept, the rest rejected.
        for index in 0..<250 {
            let time: Int64 = 10_000_000 + Int64(index)
            let check6 = clock.admit(time: time, key: 99, partition: 0, clockMs: nil)
            #expect(check6 == false)
            clock.hold(index, key: 99, time: time, partition: 0)
        }
        #expect(clock.heldEvents == 100)
        #expect(clock.rejectedOutliers == 150)
        #expect(!clock.hasReleased)
        // A second key agreeing is not enough; the third moves the time. Each hold beyond 100 rejects the furthest.
        clock.hold(0, key: 7, time: 10_000_000, partition: 0)
        #expect(!clock.hasReleased)
        clock.hold(0, key: 8, time: 10_000_001, partition: 0)
        #expect(clock.rejectedOutliers == 152)
        var releasedCount = 0
        while let released = clock.popReleased() {
            releasedCount += 1
            _ = clock.trust(time: released.held.time, partition: 0)
        }
        #expect(releasedCount == 100)  // the 98 client-99 events still held, all within a minute, and keys 7 and 8
        #expect(clock.heldEvents == 0)
        #expect(clock.current!.millisecondsSinceEpoch > 9_990_000)
        clock.finish()
        #expect(clock.rejectedOutliers == 152)
    }

    @Test func aCheckpointTakenWhileHoldingResumesExactly() throws {
        var frames = steadyFrames(count: 6_000, users: 300, start: Self.start, seed: 9)
        frames.insert(ClockFrame(user: "mallory", seconds: Self.start + 50_000), at: 2_000)
        frames.insert(ClockFrame(user: "x", seconds: Self.start + 3_400), at: 2_999)  // 400 s ahead: held, released later
        let uninterrupted = countFrames(frames)
        var counter = UniqueWindowCounter(configuration: CountConfiguration(exact: true))
        var outputs: [CountResult] = []
        func feed(_ frame: ClockFrame, into counter: inout UniqueWindowCounter) {
            Array(frame.user.utf8).withUnsafeBytes { user in
                counter.add(hash: XXHash64.hash(user), user: user, time: Timestamp(secondsSinceEpoch: frame.seconds), into: &outputs)
            }
        }
        for frame in frames.prefix(3_000) { feed(frame, into: &counter) }
        #expect(counter.clock.heldEvents == 2)
        var writer = ByteWriter()
        counter.encode(into: &writer)
        var reader = ByteReader(writer.bytes)
        var restored = try UniqueWindowCounter(configuration: CountConfiguration(exact: true), from: &reader)
        #expect(restored.clock.heldEvents == 2)
        for frame in frames.dropFirst(3_000) { feed(frame, into: &restored) }
        restored.finish(into: &outputs)
        var latest: [String: Int] = [:]
        for result in outputs { latest["\(result.window.unit) \(result.window.start)"] = result.uniques }
        #expect(latest == uninterrupted.latest)
        #expect(restored.statistics == uninterrupted.statistics)
    }

    @Test func aHeartbeatFromTheYear9999CostsOnlyItself() throws {
        let users = (0..<20).map { "user_\($0)" }
        var lines: [String] = []
        for second in stride(from: 0, to: 600, by: 10) {
            for user in users {
                lines.append(
                    #"{"userId":"\#(user)","movieId":"m","duration":3600,"position":\#(second),"timestamp":"2021-10-26T13:\#(String(format2: 20 + second / 60)):\#(String(format2: second % 60))Z"}"#
                )
            }
        }
        let (baseline, _) = try runResume(lines.joined(separator: "\n"))
        var bad = lines
        bad.insert(#"{"userId":"mallory","movieId":"m","duration":3600,"position":1,"timestamp":"9999-12-31T23:59:59Z"}"#, at: 300)
        let (output, stream) = try runResume(bad.joined(separator: "\n"))
        #expect(output == baseline)
        #expect(stream.processor.statistics.rejectedOutliers == 1)
    }
}

extension String {
    /// Two digits, zero-padded.
    init(format2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }
}
