import Testing
import TallyCore
@testable import TallyStore

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
        #expect(!subscription.offer(Self.record(999)), "an ended subscription takes nothing more")
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

    @Test func theViewForgetsADroppedSubscriber() async {
        let view = ResumeView(configuration: ResumeConfiguration())
        let slow = view.subscribe(maxBufferedBytes: 1_000)
        #expect(view.subscriberCount == 1)
        for n in 0..<10 { _ = slow.offer(Self.record(n)) }
        #expect(view.subscriberCount == 0)
        var last: ResumeSubscription.Item?
        for await item in slow { last = item }
        #expect(last == .end(.slowConsumer))
        view.finishSubscribers()
        // Subscribing after shutdown ends at once, with the reason.
        var afterShutdown: [ResumeSubscription.Item] = []
        for await item in view.subscribe(maxBufferedBytes: 1_000) { afterShutdown.append(item) }
        #expect(afterShutdown == [.end(.shutdown)])
    }
}
