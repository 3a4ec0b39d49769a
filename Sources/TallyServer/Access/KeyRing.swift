import Synchronization
import TallyCore
import TallyPipeline

/// The keys a server accepts, as last read from the store, and when each was last used since the last save.
///
/// Requests check keys here, never in the store: an authenticated request costs one lookup and one SHA-256 and
/// allocates nothing, and a store outage does not lock every client out (the last keys read stay valid).
public final class KeyRing: Sendable {
    /// An accepted key; `lastUsed` is written by requests on every event loop at once, so it is an atomic rather
    /// than an entry in a locked dictionary.
    private final class Entry: Sendable {
        let record: APIKeyRecord
        let lastUsed: Atomic<Int64>

        init(record: APIKeyRecord, lastUsed: Int64) {
            self.record = record
            self.lastUsed = Atomic(lastUsed)
        }
    }

    private static let unused = Int64.min
    /// By the key id's value (`APIKeyToken.numericID`), so that a lookup needs no string.
    private let active = Mutex<[UInt64: Entry]>([:])

    /// An empty ring: until the first `install`, every key is refused.
    public init() {}

    /// The unrevoked key the text `tally_<id>_<secret>` names, if its secret matches.
    func authenticate(_ text: Substring, now: Timestamp) -> APIKeyRecord? {
        var text = text
        let entry = text.withUTF8 { bytes -> Entry? in
            guard let parsed = APIKeyToken.parse(UnsafeRawBufferPointer(bytes)),
                let entry = active.withLock({ $0[parsed.id] }),
                entry.record.isSecret(parsed.secret)
            else { return nil }
            return entry
        }
        guard let entry else { return nil }
        entry.lastUsed.store(now.millisecondsSinceEpoch, ordering: .relaxed)
        return entry.record
    }

    /// Replaces the keys with `records` (revoked ones are dropped); uses not yet taken carry over.
    public func install(_ records: [APIKeyRecord]) {
        active.withLock { active in
            var next: [UInt64: Entry] = [:]
            for record in records where !record.isRevoked {
                guard let id = APIKeyToken.numericID(record.id.utf8) else { continue }
                next[id] = Entry(record: record, lastUsed: active[id]?.lastUsed.load(ordering: .relaxed) ?? Self.unused)
            }
            active = next
        }
    }

    /// The uses recorded since the last call.
    func takeUses() -> [String: Timestamp] {
        let entries = active.withLock { Array($0.values) }
        var uses: [String: Timestamp] = [:]
        for entry in entries {
            let used = entry.lastUsed.exchange(Self.unused, ordering: .relaxed)
            if used != Self.unused { uses[entry.record.id] = Timestamp(millisecondsSinceEpoch: used) }
        }
        return uses
    }

    /// Keys accepted now, for metrics.
    public var count: Int { active.withLock { $0.count } }
}
