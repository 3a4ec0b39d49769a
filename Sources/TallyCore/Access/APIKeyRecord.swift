/// A stored API key: everything but its secret, of which only the SHA-256 is kept.
public struct APIKeyRecord: Sendable, Hashable {
    public var id: String
    public var name: String
    public var scope: AccessScope
    /// SHA-256 of the secret part of the key's text.
    public var secretDigest: [UInt8]
    public var createdAt: Timestamp
    public var lastUsedAt: Timestamp?
    public var revokedAt: Timestamp?

    public init(
        id: String, name: String, scope: AccessScope, secretDigest: [UInt8], createdAt: Timestamp,
        lastUsedAt: Timestamp? = nil, revokedAt: Timestamp? = nil
    ) {
        self.id = id
        self.name = name
        self.scope = scope
        self.secretDigest = secretDigest
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    public var isRevoked: Bool { revokedAt != nil }
}
