import Synchronization
import TallyCore

/// Token buckets by client (a key id or an address), for one kind of request (writes or reads).
///
/// Buckets of clients that went quiet are forgotten once their bucket is full again (a new one would start full
/// too), so memory follows the clients active in the last few seconds, not every address ever seen.
final class RateLimiter: Sendable {
    let limit: RateLimit
    private let buckets = Mutex<[String: TokenBucket]>([:])
    /// Past this many buckets, full ones are swept out before a new one is added.
    private let sweepAbove: Int

    init(limit: RateLimit, sweepAbove: Int = 100_000) {
        self.limit = limit
        self.sweepAbove = sweepAbove
    }

    func take(_ client: String, nowMs: Int64) -> (allowed: Bool, retryAfterSeconds: Int) {
        buckets.withLock { buckets in
            if buckets[client] == nil, buckets.count >= sweepAbove {
                buckets = buckets.filter { !$0.value.isFull(nowMs: nowMs) }
            }
            return buckets[client, default: TokenBucket(limit: limit, nowMs: nowMs)].take(nowMs: nowMs)
        }
    }

    var count: Int { buckets.withLock { $0.count } }
}
