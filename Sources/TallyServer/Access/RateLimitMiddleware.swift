import HTTPTypes
import Hummingbird
import Metrics
import TallyCore

/// Answers `429` with `Retry-After` when a client has used up its writes or reads: per key (when keys are asked
/// for) and per client address, each with its own bucket. Limits are per server: with several servers behind a
/// balancer a client gets up to the limit from each.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = TallyRequestContext

    struct Limits: Sendable {
        var writes: RateLimiter?
        var reads: RateLimiter?
    }

    let byKey: Limits
    let byAddress: Limits
    let clientAddress: ClientAddress
    let clock: WallClock

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let kind: String
        let keyLimiter: RateLimiter?
        let addressLimiter: RateLimiter?
        switch AccessPolicy.access(method: request.method.rawValue, path: request.uri.path) {
        case .open: return try await next(request, context)
        case .needs(.ingest): (kind, keyLimiter, addressLimiter) = ("write", byKey.writes, byAddress.writes)
        case .needs: (kind, keyLimiter, addressLimiter) = ("read", byKey.reads, byAddress.reads)
        }
        let now = clock.now().millisecondsSinceEpoch
        if let keyLimiter, let key = context.keyID {
            try check(keyLimiter.take("key:" + key, nowMs: now), limit: "key", kind: kind, limiter: keyLimiter)
        }
        if let addressLimiter {
            let address = clientAddress.of(peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[.xForwardedFor])
            try check(addressLimiter.take(address, nowMs: now), limit: "address", kind: kind, limiter: addressLimiter)
        }
        return try await next(request, context)
    }

    private func check(_ result: (allowed: Bool, retryAfterSeconds: Int), limit: String, kind: String, limiter: RateLimiter) throws {
        guard !result.allowed else { return }
        Counter(label: "tally_rate_limited_total", dimensions: [("limit", limit), ("kind", kind)]).increment()
        throw APIError(
            .tooManyRequests, code: "rate_limited",
            message:
                "more than \(limiter.limit.perSecond) \(kind)s per second (burst \(Int(limiter.limit.burst))) from this \(limit); retry after \(result.retryAfterSeconds) s",
            retryAfter: result.retryAfterSeconds)
    }
}

extension HTTPField.Name {
    static var xForwardedFor: Self { Self("X-Forwarded-For")! }
}
