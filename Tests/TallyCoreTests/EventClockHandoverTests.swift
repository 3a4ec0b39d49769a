import Testing

@testable import TallyCore

/// A partition moving to another reader (a Kafka rebalance): its clock travels in the committed offset's metadata,
/// and its held events are read again by the next owner from the oldest held offset.
@Suite("Event clock: a partition handed to its next owner")
struct EventClockHandoverTests {
    static let start = EventClockTests.start

    @Test func theHandoverSurvivesItsTextFormAndStrangersMetadataIsIgnored() {
        let handover = PartitionClockHandover(
            frontier: 1_468_244_384_000, firstTime: 1_468_240_000_000, keys: [0, 0xFFFF_FFFF_FFFF_FFFF, 42])
        #expect(handover.encoded == "tally-clock/1 frontier=1468244384000 first=1468240000000 keys=0,ffffffffffffffff,2a")
        #expect(PartitionClockHandover(encoded: handover.encoded) == handover)
        #expect(PartitionClockHandover(encoded: "tally-clock/1 frontier=5 first=5 keys=")?.keys == [])
        for stranger in [
            "", "{\"app\":\"other\"}", "tally-clock/2 frontier=1 first=1 keys=", "tally-clock/1 frontier=x first=1 keys=",
            "tally-clock/1 frontier=1 first=2 keys=", "tally-clock/1 frontier=1 keys=", "tally-clock/1 frontier=1 first=1 keys=zz",
        ] {
            #expect(PartitionClockHandover(encoded: stranger) == nil, "\(stranger)")
        }
    }

    /// Owner A reads 5,000 frames, then the first two frames of a two-day jump, which it holds (fewer than three
    /// users agree yet); the group moves the partition. A commits the oldest held offset with its clock; owner B
    /// adopts the clock and reads from that offset. Together they count exactly what one reader counts, and B
    /// neither waits to establish the partition's time nor trusts an outlier on the strength of no history.
    @Test func aPartitionRevokedMidJumpLosesNothingAndItsNextOwnerContinuesItsClock() throws {
        var frames = steadyFrames(count: 5_000, users: 200, start: Self.start)
        frames += [ClockFrame(user: "early-1", seconds: Self.start + 172_800), ClockFrame(user: "early-2", seconds: Self.start + 172_801)]
        frames += steadyFrames(count: 3_000, users: 200, start: Self.start + 172_802, seed: 2)
        let baseline = countFrames(frames)
        let configuration = CountConfiguration(exact: true)

        var ownerA = UniqueWindowCounter(configuration: configuration)
        var outputs: [CountResult] = []
        ownerA.register(partition: 0, clockMs: 0)
        Self.feed(frames[0..<5_002], from: 0, into: &ownerA, outputs: &outputs)
        #expect(ownerA.clock.heldEvents == 2)
        #expect(ownerA.clock.oldestHeldPosition(partition: 0) == 5_000)
        var writer = ByteWriter()
        ownerA.encode(into: &writer)
        var reader = ByteReader(writer.bytes)
        #expect(
            try UniqueWindowCounter(configuration: configuration, from: &reader).clock.oldestHeldPosition(partition: 0) == 5_000,
            "held frames keep their offsets in a checkpoint")
        let committed = try #require(ownerA.clock.handover(partition: 0)).encoded
        ownerA.remove(partition: 0, into: &outputs)
        #expect(ownerA.statistics.handedOver == 2)
        #expect(ownerA.statistics.rejectedOutliers == 0)
        ownerA.finish(into: &outputs)

        var ownerB = UniqueWindowCounter(configuration: configuration)
        let handover = try #require(PartitionClockHandover(encoded: committed))
        ownerB.adopt(handover, partition: 0, clockMs: 0, into: &outputs)
        var probe = ownerB.clock
        let applied = probe.admit(time: handover.frontier, key: 1, partition: 0, clockMs: 0)
        #expect(applied, "an in-order frame is applied at once")
        Self.feed(frames[5_000...], from: 5_000, into: &ownerB, outputs: &outputs)
        ownerB.finish(into: &outputs)

        var latest: [String: Int] = [:]
        for result in outputs { latest["\(result.window.unit) \(result.window.start)"] = result.uniques }
        #expect(latest == baseline.latest)
        #expect(ownerA.statistics.counted + ownerB.statistics.counted == frames.count)
        #expect(ownerB.statistics.rejectedOutliers == 0 && ownerB.statistics.rejectedTooOld == 0)
    }

    @Test func anAdoptedPartitionHoldsAnOutlierThatAFreshOneWouldHaveTakenAsItsStart() {
        let configuration = EventClockConfiguration(lateness: .seconds(5), maxJump: .seconds(300), corroboration: 3)
        let frontier = Self.start * 1000
        var adopted = EventClock<Int>(configuration: configuration)
        adopted.adopt(PartitionClockHandover(frontier: frontier, firstTime: frontier - 60_000, keys: [1, 2, 3]), partition: 4, clockMs: 0)
        let moved = adopted.refresh()
        #expect(moved)
        #expect(adopted.current == Timestamp(millisecondsSinceEpoch: frontier - 5_000), "the watermark continues at once")
        let dayAhead = adopted.admit(time: frontier + 86_400_000, key: 9, partition: 4, clockMs: 0)
        #expect(!dayAhead, "a day ahead is held")
        adopted.hold(1, key: 9, time: frontier + 86_400_000, partition: 4, position: 77)
        #expect(adopted.oldestHeldPosition(partition: 4) == 77)
        let inReach = adopted.admit(time: frontier + 1_000, key: 9, partition: 4, clockMs: 0)
        #expect(inReach)
        _ = adopted.trust(time: frontier + 1_000, partition: 4)
        #expect(adopted.heldEvents == 1, "one user's jump is not corroborated by the keys handed over")
        #expect(adopted.handover(partition: 4)?.frontier == frontier + 1_000)

        // Events held before the assignment was known (delivered by the same poll) are released by the adoption.
        var late = EventClock<Int>(configuration: configuration)
        late.register(partition: 4, clockMs: 0)
        let beforeAdoption = late.admit(time: frontier + 500, key: 9, partition: 4, clockMs: 0)
        #expect(!beforeAdoption, "a partition without a time holds its first events")
        late.hold(1, key: 9, time: frontier + 500, partition: 4, position: 3)
        late.adopt(PartitionClockHandover(frontier: frontier, firstTime: frontier, keys: [1, 2, 3]), partition: 4, clockMs: 0)
        let released = late.popReleased()
        #expect(released?.held.position == 3)
        #expect(late.heldEvents == 0)
    }

    static func feed(
        _ frames: ArraySlice<ClockFrame>, from offset: Int64, into counter: inout UniqueWindowCounter,
        outputs: inout [CountResult]
    ) {
        for (index, frame) in zip(frames.indices, frames) {
            Array(frame.user.utf8).withUnsafeBytes { user in
                counter.add(
                    hash: XXHash64.hash(user), user: user, time: Timestamp(secondsSinceEpoch: frame.seconds), partition: 0,
                    position: offset + Int64(index - frames.startIndex), clockMs: 0, into: &outputs)
            }
        }
    }
}
