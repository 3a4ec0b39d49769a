import Synchronization
import TallyCore

/// The playback states the writer planned from recently, bounded by key count; the store is the source of truth.
///
/// Memory does not grow with every (user, content) pair ever seen, and start-up loads nothing: a batch's keys that
/// are not here are read from the store before planning. Only the writer fills it, and only with states the store
/// holds (committed, or just read), so on a store with one writer (SQLite) every entry is exact; on a shared store
/// (PostgreSQL) an entry may be stale, which the store's own re-derivation inside the transaction corrects.
///
/// Two generations give least-recently-written eviction without per-access bookkeeping: every batch installs its
/// keys' states in `young` (moving them out of `old`), and when `young` holds half the capacity it becomes `old`
/// and the previous old generation is dropped.
public final class PlaybackHotSet: Sendable {
    private struct Generations {
        var young: [PlaybackKey: PlaybackState] = [:]
        var old: [PlaybackKey: PlaybackState] = [:]
    }

    private let generations = Mutex(Generations())
    /// Keys held at most (both generations together).
    public let capacity: Int
    /// The rules the held states were planned with.
    public let rules: PlaybackRules

    /// An empty set holding at most `capacity` keys.
    public init(rules: PlaybackRules, capacity: Int = 200_000) {
        self.rules = rules
        self.capacity = max(2, capacity)
    }

    /// Keys held now, for metrics.
    public var count: Int { generations.withLock { $0.young.count + $0.old.count } }

    /// The keys of `keys` not held, which the writer reads from the store.
    func missing(_ keys: Set<PlaybackKey>) -> [PlaybackKey] {
        generations.withLock { g in keys.filter { g.young[$0] == nil && g.old[$0] == nil } }
    }

    /// Runs the processor over `events` against the held states and `loaded` (the store's states of the keys that
    /// were missing), without changing anything: only the writer installs, so the plan cannot go stale.
    func plan(_ events: [ReceivedEvent], loaded: [PlaybackKey: PlaybackState], with processor: PlaybackProcessor) -> (
        states: [PlaybackKey: PlaybackState], previous: [PlaybackKey: PlaybackState]
    ) {
        generations.withLock { g in
            // The processor asks once per key, for the state before the batch: the store moves totals by the difference.
            var previous: [PlaybackKey: PlaybackState] = [:]
            previous.reserveCapacity(events.count)
            let states = processor.plan(events) { key in
                let state = g.young[key] ?? g.old[key] ?? loaded[key]
                if let state { previous[key] = state }
                return state
            }
            return (states, previous)
        }
    }

    /// Forgets every state: the writer installed states of a batch whose commit then failed.
    func removeAll() {
        generations.withLock { $0 = Generations() }
    }

    /// Holds states the store has: committed ones, ones just read from it, or (with a store that commits plans as
    /// they are) ones about to be committed, which `removeAll` forgets if their commit fails.
    func install(_ states: [PlaybackKey: PlaybackState]) {
        let half = capacity / 2
        generations.withLock { g in
            for (key, state) in states {
                g.old[key] = nil
                g.young[key] = state
                if g.young.count >= half {
                    g.old = g.young
                    g.young = [:]
                }
            }
        }
    }
}
