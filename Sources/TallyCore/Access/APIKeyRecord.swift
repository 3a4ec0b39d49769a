/// A stored API key: everything but its secret, of which only the SHA-256 is kept.
public struct APIKeyRecord: Sendable, Hashable {
    /// The public half of the key's text: names the key in listings, logs and metrics.
    public var id: String
    /// What the operator called the key when creating it (who holds it, what for).
    public var name: String
    /// What the key may do: ingest, read, or both.
    public var scope: AccessScope
    /// SHA-256 of the secret part of the key's text.
    public var secretDigest: [UInt8]
    /// When the key was created.
    public var createdAt: Timestamp
    /// When the key last authorized a request (recorded coarsely, so unused keys can be found and revoked).
    public var lastUsedAt: Timestamp?
    /// When the key was revoked: kept rather than deleted, so a listing shows what was revoked and when.
    public var revokedAt: Timestamp?

    /// A record as stored; a new key gets its digest from `APIKeyToken.generate()`.
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

    /// A revoked key authorizes nothing.
    public var isRevoked: Bool { revokedAt != nil }
}
