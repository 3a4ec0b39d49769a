import Synchronization
import TallyCore

/// Session headers in memory (a bounded cache over the store) and the waiters of long-polls.
///
/// Only the writer installs headers, after their commit. Evicting a header is always safe: the writer reloads a
/// missing one from the store before planning.
public final class SessionsView: Sendable {
    private struct State {
        var headers: [String: SessionHeader] = [:]
        var waiters: [String: [Int: CheckedContinuation<Void, Never>]] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())
    /// Bounds on messages and sessions.
    public let limits: SessionLimits
    /// Silence after which an open session reads as abandoned.
    public let abandonAfter: Duration
    /// Headers kept in memory before complete ones (then the least recently active) are evicted.
    public let maxCachedHeaders: Int

    /// An empty cache with the server's limits.
    public init(limits: SessionLimits = .default, abandonAfter: Duration = .seconds(1800), maxCachedHeaders: Int = 100_000) {
        self.limits = limits
        self.abandonAfter = abandonAfter
        self.maxCachedHeaders = maxCachedHeaders
    }

    /// The cached header of session `id`, nil when not cached (the store has it, if it exists).
    public func header(_ id: String) -> SessionHeader? {
        state.withLock { $0.headers[id] }
    }

    /// Publishes committed headers and wakes the long-polls waiting on them.
    func install(_ headers: [SessionHeader]) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            var woken: [CheckedContinuation<Void, Never>] = []
            for header in headers {
                state.headers[header.id] = header
                if let waiting = state.waiters.removeValue(forKey: header.id) { woken += waiting.values }
            }
            if state.headers.count > maxCachedHeaders { Self.evict(&state.headers, to: maxCachedHeaders * 9 / 10) }
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    /// Suspends until the session holds more than `entryCount` entries or has ended, or `timeout` passes. The check
    /// and the registration happen under the lock `install` takes, so a commit that lands between a caller's own
    /// check and this call still wakes it (it would otherwise wait the whole timeout for an entry already there).
    public func waitForChange(of id: String, beyond entryCount: Int, timeout: Duration) async {
        let token = state.withLock { state -> Int in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let done = self.state.withLock { state -> Bool in
                            if Task.isCancelled { return true }
                            if let header = state.headers[id], header.entryCount > entryCount || header.end != nil { return true }
                            state.waiters[id, default: [:]][token] = continuation
                            return false
                        }
                        if done { continuation.resume() }
                    }
                } onCancel: {
                    let continuation = self.state.withLock { $0.waiters[id]?.removeValue(forKey: token) }
                    continuation?.resume()
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private static func evict(_ headers: inout [String: SessionHeader], to target: Int) {
        let victims = headers.values.sorted { a, b in
            ((a.end == nil ? 1 : 0), a.lastActivity) < ((b.end == nil ? 1 : 0), b.lastActivity)
        }.prefix(headers.count - target)
        for victim in victims { headers[victim.id] = nil }
    }
}
