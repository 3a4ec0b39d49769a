import Foundation
import Hummingbird
import NIOCore

/// The request context of Tally's router: Hummingbird's core storage, the peer's address (for per-client rate
/// limits) and the key the request was authenticated with (for per-key rate limits).
public struct TallyRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage (logger, body limits).
    public var coreContext: CoreRequestContextStorage
    /// The TCP peer; `ClientAddress` replaces it with `X-Forwarded-For` only for `--trusted-proxies`.
    public let remoteAddress: SocketAddress?
    /// Set by `AuthMiddleware`; nil when no key is asked for.
    public var keyID: String?

    /// A context for one request on the connection `source` describes.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// Who a request comes from: the peer's address, or, when the peer is one of `--trusted-proxies`, the address it
/// reports in `X-Forwarded-For` (the rightmost entry that is not itself a trusted proxy; the entries left of it
/// are the client's word and could be anything).
struct ClientAddress: Sendable {
    let trustedProxies: Set<String>

    func of(peer: String?, forwardedFor: String?) -> String {
        guard let peer else { return "unknown" }
        guard trustedProxies.contains(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.last { !trustedProxies.contains($0) } ?? hops.first ?? peer
    }
}
