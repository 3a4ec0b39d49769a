import TallyCore
import Testing

@testable import TallyPipeline

/// A `/resume/stream` reader's queue is bounded in bytes: one that stops reading is dropped with a reason, one that
/// keeps up never is.
@Suite("Resume subscription")
struct ResumeSubscriptionTests {
    static func record(_ n: Int, bytes: Int = 200) -> ResumeRecord {
        let start = Timestamp(millisecondsSinceEpoch: Int64(n) * 60_000)
        let window = EventWindow(unit: .minute, start: start, end: Timestamp(millisecondsSinceEpoch: start.millisecondsSinceEpoch + 60_000))
        return ResumeRecord(userId: "u\(n)", window: window, revision: 0, json: Array(repeating: UInt8(ascii: "x"), count: bytes))
    }

    @Test func aReaderThatNeverReadsIsCappedAndToldWhy() async {
        let subscription = ResumeSubscription(maxBytes: 10_000) {}
        var accepted = 0
        while subscription.offer(Self.record(accepted)) { accepted += 1 }
        #expect(accepted == 10_000 / ResumeSubscription.cost(Self.record(0)))
        #expect(!subscription.offer(Self.record(999)), "an overflowed subscription takes nothing more")
        subscription.end(.slowConsumer)
        subscription.end(.shutdown)
        var items: [ResumeSubscription.Item] = []
        for await item in subscription { items.append(item) }
        #expect(items.count == accepted + 1)
        #expect(items.last == .end(.slowConsumer))
        #expect(items.dropLast().allSatisfy { if case .record = $0 { true } else { false } })
    }

    @Test func aReaderThatKeepsUpIsNeverDropped() async {
        let subscription = ResumeSubscription(maxBytes: 10_000) {}
        var iterator = subscription.makeAsyncIterator()
        // 100 times the budget goes through, each array taken before the next is queued.
        for n in 0..<(100 * 10_000 / ResumeSubscription.cost(Self.record(0))) {
            #expect(subscription.offer(Self.record(n)))
            #expect(await iterator.next() == .record(Self.record(n)))
        }
        subscription.end(.shutdown)
        subscription.end(.shutdown)
        #expect(await iterator.next() == .end(.shutdown))
        #expect(await iterator.next() == nil)
    }

    @Test func afterShutdownASubscriptionEndsAtOnce() async {
        let view = ResumeView(configuration: ResumeConfiguration())
        _ = view.subscribe(maxBufferedBytes: 1_000)
        #expect(view.subscriberCount == 1)
        view.finishSubscribers()
        #expect(view.subscriberCount == 0)
        var afterShutdown: [ResumeSubscription.Item] = []
        for await item in view.subscribe(maxBufferedBytes: 1_000) { afterShutdown.append(item) }
        #expect(afterShutdown == [.end(.shutdown)])
    }

    /// The view's broadcast finds the overflow under its lock; ending the stream must not take that lock again
    /// (a recursive lock is a crash of the whole server), and the view forgets the reader.
    @Test(.timeLimit(.minutes(1))) func aSlowReaderIsDroppedByTheBroadcast() async throws {
        let view = ResumeView(configuration: ResumeConfiguration(corroboration: 1))
        let slow = view.subscribe(maxBufferedBytes: 300)
        let start = try ISO8601.parse("2021-10-26T13:27:00Z").millisecondsSinceEpoch
        // A heartbeat a minute for an hour: each closes the window before it, and each array is ~150 bytes.
        let beats = (0..<60).map { minute in
            Heartbeat(
                userId: "u", movieId: "m", duration: 100, position: Int64(minute),
                timestamp: Timestamp(millisecondsSinceEpoch: start + Int64(minute) * 60_000))
        }
        #expect(view.apply(beats, clockMs: nil).count > 3)
        #expect(view.subscriberCount == 0)
        var last: ResumeSubscription.Item?
        for await item in slow { last = item }
        #expect(last == .end(.slowConsumer))
    }
}
