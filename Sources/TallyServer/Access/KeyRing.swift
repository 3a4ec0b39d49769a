import Synchronization
import TallyCore
import TallyStore

/// The keys a server accepts, as last read from the store, and when each was last used since the last save.
///
/// Requests check keys here, never in the store: an authenticated request costs one dictionary lookup and one
/// SHA-256, and a store outage does not lock every client out (the last keys read stay valid).
public final class KeyRing: Sendable {
    private let active = Mutex<[String: APIKeyRecord]>([:])
    private let uses = Mutex<[String: Timestamp]>([:])

    public init() {}

    /// The unrevoked key `token` names, if its secret matches.
    func authenticate(_ token: APIKeyToken, now: Timestamp) -> APIKeyRecord? {
        guard let record = active.withLock({ $0[token.id] }),
            constantTimeEquals(token.secretDigest, record.secretDigest)
        else { return nil }
        uses.withLock { $0[token.id] = now }
        return record
    }

    /// Replaces the keys with `records` (revoked ones are dropped).
    func install(_ records: [APIKeyRecord]) {
        let byID = Dictionary(records.filter { !$0.isRevoked }.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        active.withLock { $0 = byID }
    }

    /// The uses recorded since the last call.
    func takeUses() -> [String: Timestamp] {
        uses.withLock { uses in
            defer { uses = [:] }
            return uses
        }
    }

    public var count: Int { active.withLock { $0.count } }
}
