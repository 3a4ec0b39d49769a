import Synchronization
import TallyCore

/// The hand-off between request handlers and the single writer: requests enqueue their events and suspend; the
/// writer takes everything queued (up to a batch limit) and resumes each request after the batch is committed.
///
/// Batches form naturally: while one commit is in flight, the next one accumulates. A bounded number of pending
/// events gives back-pressure (`IngestError.overloaded`) instead of unbounded memory.
public final class CommitQueue: Sendable {
    /// One request's payload and the continuation that acknowledges it.
    public struct Request: Sendable {
        /// What the request submitted.
        public var payload: IngestPayload
        let continuation: CheckedContinuation<IngestReceipt, any Error>

        /// A session message: its plan reads what earlier commits wrote.
        var isSession: Bool {
            if case .session = payload { return true }
            return false
        }

        /// Answers the request once its batch is durable.
        public func succeed(_ receipt: IngestReceipt = .stored) { continuation.resume(returning: receipt) }
        /// Fails the request (its batch was not committed, or the request itself was refused).
        public func fail(_ error: any Error) { continuation.resume(throwing: error) }
    }

    private struct State {
        var requests: [Request] = []
        var pendingEvents = 0
        var writer: CheckedContinuation<Void, Never>?
        var finished = false
    }

    private let state = Mutex(State())
    /// Events waiting for the writer beyond which new requests get `overloaded` (503).
    public let maxPendingEvents: Int

    /// A queue holding at most `maxPendingEvents` events.
    public init(maxPendingEvents: Int) {
        self.maxPendingEvents = maxPendingEvents
    }

    /// Enqueues `payload` and returns once it is committed; throws if the commit failed or was refused.
    public func submit(_ payload: IngestPayload) async throws -> IngestReceipt {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<IngestReceipt, any Error>) in
            let weight = payload.weight
            let outcome = state.withLock { state -> (Result<Void, IngestError>, CheckedContinuation<Void, Never>?) in
                if state.finished { return (.failure(.shuttingDown), nil) }
                if state.pendingEvents + weight > maxPendingEvents, state.pendingEvents > 0 {
                    return (.failure(.overloaded(pendingLimit: maxPendingEvents)), nil)
                }
                state.requests.append(Request(payload: payload, continuation: continuation))
                state.pendingEvents += weight
                defer { state.writer = nil }
                return (.success(()), state.writer)
            }
            switch outcome.0 {
            case .failure(let error): continuation.resume(throwing: error)
            case .success: outcome.1?.resume()
            }
        }
    }

    /// Waits until requests are queued, then takes whole requests totalling at most `maxEvents` events (at least
    /// one request). Returns nil once `finish()` was called and everything queued has been taken.
    public func take(maxEvents: Int) async -> [Request]? {
        while true {
            let taken: [Request]? = state.withLock { state in
                if state.requests.isEmpty { return state.finished ? [] : nil }
                var count = 0
                var end = 0
                while end < state.requests.count, end == 0 || count + state.requests[end].payload.weight <= maxEvents {
                    count += state.requests[end].payload.weight
                    end += 1
                }
                let batch = Array(state.requests[..<end])
                state.requests.removeFirst(end)
                state.pendingEvents -= count
                return batch
            }
            if let taken { return taken.isEmpty ? nil : taken }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if !state.requests.isEmpty || state.finished { return true }
                    state.writer = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Number of events waiting for the writer.
    public var pendingEvents: Int { state.withLock { $0.pendingEvents } }

    /// Refuses new requests from now on; requests already queued are still taken and committed.
    public func finish() {
        let writer = state.withLock { state in
            state.finished = true
            defer { state.writer = nil }
            return state.writer
        }
        writer?.resume()
    }
}
