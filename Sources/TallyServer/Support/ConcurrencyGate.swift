import Synchronization

/// At most `limit` holders at once. A caller that finds it full is refused, not queued: waiting expensive work would
/// only move the overload into memory.
final class ConcurrencyGate: Sendable {
    /// Holders allowed at once.
    let limit: Int
    private let holders = Mutex(0)

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Takes a place; false when all are taken. A true answer must be matched by one `leave()`.
    func enter() -> Bool {
        holders.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    /// Gives a place back.
    func leave() {
        holders.withLock { $0 = max(0, $0 - 1) }
    }
}
