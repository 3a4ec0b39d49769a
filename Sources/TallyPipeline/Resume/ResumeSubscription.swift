import Metrics
import Synchronization

/// One `/resume/stream` reader's queue of arrays, bounded by bytes rather than by count.
///
/// A reader that stops reading (or reads slower than arrays are emitted) would otherwise hold every array emitted
/// since: its queue is capped at `maxBytes`, and the array that would go over it ends the subscription instead, with
/// an `.end(.slowConsumer)` item after what was queued, so the client learns why the stream stopped and can
/// reconnect (and fetch what it missed from `GET /users/{user}/resume?window=`).
public final class ResumeSubscription: AsyncSequence, Sendable {
    /// What a reader gets: an array, or the end of the stream with its reason.
    public enum Item: Sendable, Equatable {
        /// One emitted array.
        case record(ResumeRecord)
        /// The last item: the stream ends, and why.
        case end(EndReason)
    }

    /// Why a stream ended, told to the client.
    public enum EndReason: String, Sendable {
        /// More than `maxBytes` of arrays were waiting for this reader.
        case slowConsumer = "slow_consumer"
        /// The server is shutting down.
        case shutdown
    }

    /// Bytes of arrays that may wait for the reader.
    public let maxBytes: Int
    private let stream: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation
    /// Bytes yielded and not yet taken by the reader; nil once the subscription ended.
    private let queuedBytes = Mutex<Int?>(0)
    private let ended = Mutex(false)
    static let dropped = Counter(label: "tally_resume_stream_dropped_total")

    init(maxBytes: Int, onTermination: @escaping @Sendable () -> Void) {
        self.maxBytes = maxBytes
        (stream, continuation) = AsyncStream<Item>.makeStream(bufferingPolicy: .unbounded)
        continuation.onTermination = { _ in onTermination() }
    }

    /// What one array costs in the queue: its JSON and the stream's framing.
    static func cost(_ record: ResumeRecord) -> Int { record.json.count + 64 }

    /// Queues `record`; returns false when it did not fit. The subscription then takes nothing more, and the caller
    /// forgets it and calls `end(.slowConsumer)` once it holds no lock: ending runs the stream's termination
    /// handler, which takes the view's lock.
    func offer(_ record: ResumeRecord) -> Bool {
        let cost = Self.cost(record)
        let queued = queuedBytes.withLock { queued -> Bool in
            guard let bytes = queued, bytes + cost <= maxBytes else {
                if queued != nil { Self.dropped.increment() }
                queued = nil
                return false
            }
            queued = bytes + cost
            return true
        }
        if queued { continuation.yield(.record(record)) }
        return queued
    }

    /// Ends the subscription after what is queued, telling the reader why (once; later calls do nothing).
    func end(_ reason: EndReason) {
        let first = ended.withLock { ended -> Bool in
            defer { ended = true }
            return !ended
        }
        guard first else { return }
        queuedBytes.withLock { $0 = nil }
        continuation.yield(.end(reason))
        continuation.finish()
    }

    fileprivate func taken(_ record: ResumeRecord) {
        queuedBytes.withLock { queued in
            if let bytes = queued { queued = bytes - Self.cost(record) }
        }
    }

    /// Takes queued items in order, releasing their bytes from the bound.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<Item>.Iterator
        let owner: ResumeSubscription

        public mutating func next() async -> Item? {
            let item = await base.next()
            if case .record(let record)? = item { owner.taken(record) }
            return item
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator(), owner: self)
    }
}
