/// A rate limit: `rate` requests per second on average, `burst` at once after a quiet spell.
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    /// Requests per second allowed on average.
    public var perSecond: Double
    /// Requests allowed at once after a quiet spell.
    public var burst: Double

    /// A limit of `perSecond`, with a burst of twice that (at least 1) unless given.
    public init(perSecond: Double, burst: Double? = nil) {
        self.perSecond = perSecond
        self.burst = max(1, burst ?? perSecond * 2)
    }

    /// `2000/s`, `120/m` or `10000/h`, optionally `:BURST` (default twice the per-second rate, at least 1).
    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let rate = parts[0].split(separator: "/", omittingEmptySubsequences: false)
        guard rate.count == 2, let count = Double(rate[0]), count > 0, count.isFinite else { return nil }
        let seconds: Double
        switch rate[1] {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3600
        default: return nil
        }
        var burst: Double?
        if parts.count == 2 {
            guard let value = Double(parts[1]), value >= 1, value.isFinite else { return nil }
            burst = value
        }
        self.init(perSecond: count / seconds, burst: burst)
    }

    public var description: String { "\(perSecond)/s:\(burst)" }
}

/// The classic token bucket: it holds up to `burst` tokens, refills at `perSecond`, and a request takes one.
public struct TokenBucket: Sendable {
    /// The rate and burst this bucket enforces.
    public let limit: RateLimit
    private var tokens: Double
    private var updatedMs: Int64

    /// A full bucket: a new client may burst at once.
    public init(limit: RateLimit, nowMs: Int64) {
        self.limit = limit
        self.tokens = limit.burst
        self.updatedMs = nowMs
    }

    /// Takes a token if there is one; otherwise the whole seconds until there will be.
    public mutating func take(nowMs: Int64) -> (allowed: Bool, retryAfterSeconds: Int) {
        refill(nowMs: nowMs)
        if tokens >= 1 {
            tokens -= 1
            return (true, 0)
        }
        let wait = (1 - tokens) / limit.perSecond
        return (false, max(1, Int(wait.rounded(.up))))
    }

    /// Whether the bucket is full again (an idle client's bucket can be forgotten: a new one starts full).
    public func isFull(nowMs: Int64) -> Bool {
        var copy = self
        copy.refill(nowMs: nowMs)
        return copy.tokens >= limit.burst
    }

    private mutating func refill(nowMs: Int64) {
        let elapsed = Double(max(0, nowMs - updatedMs)) / 1000
        tokens = min(limit.burst, tokens + elapsed * limit.perSecond)
        updatedMs = max(updatedMs, nowMs)
    }
}
