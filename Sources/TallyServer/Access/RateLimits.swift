import TallyCore

/// The rate limits a server enforces (each nil: none), and whose `X-Forwarded-For` it believes.
public struct RateLimits: Sendable {
    /// Per API key: one client app cannot starve the others, whatever addresses it sends from.
    public var perKeyWrites: RateLimit?
    /// Per API key, for queries and streams.
    public var perKeyReads: RateLimit?
    /// Per client address: applies without keys too, and bounds a client that cycles through keys.
    public var perAddressWrites: RateLimit?
    /// Per client address, for queries and streams.
    public var perAddressReads: RateLimit?
    /// Peers whose `X-Forwarded-For` names the client (a reverse proxy); any other peer is the client.
    public var trustedProxies: Set<String>

    /// No limits unless given.
    public init(
        perKeyWrites: RateLimit? = nil, perKeyReads: RateLimit? = nil, perAddressWrites: RateLimit? = nil,
        perAddressReads: RateLimit? = nil, trustedProxies: Set<String> = []
    ) {
        self.perKeyWrites = perKeyWrites
        self.perKeyReads = perKeyReads
        self.perAddressWrites = perAddressWrites
        self.perAddressReads = perAddressReads
        self.trustedProxies = trustedProxies
    }

    var isEnabled: Bool { [perKeyWrites, perKeyReads, perAddressWrites, perAddressReads].contains { $0 != nil } }
}
