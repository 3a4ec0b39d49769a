import Crypto
import TallyCore

/// Where API keys live: the same store as the events, so that every server sharing a PostgreSQL database shares its
/// keys, and `tally keys` manages them with the options `tally serve` takes.
public protocol APIKeyStore: Sendable {
    /// Stores a new key's record (its secret is not in it).
    func createAPIKey(_ record: APIKeyRecord) async throws
    /// Every key, revoked ones included, oldest first.
    func apiKeys() async throws -> [APIKeyRecord]
    /// Marks the key revoked; false when there is no such key or it was already revoked.
    func revokeAPIKey(id: String, at time: Timestamp) async throws -> Bool
    /// Saves when keys were last used (only ever moved forward).
    func recordAPIKeyUse(_ uses: [String: Timestamp]) async throws
}

extension APIKeyToken {
    /// SHA-256 of the secret, the only part of the key a store keeps.
    public var secretDigest: [UInt8] { Array(SHA256.hash(data: Array(secret.utf8))) }
}

extension APIKeyRecord {
    /// Whether `secret`, as a client sent it, is this key's: its SHA-256 is compared with the stored one in
    /// constant time. Nothing is allocated, since servers check the key of every request.
    public func isSecret(_ secret: UnsafeRawBufferPointer) -> Bool {
        SHA256.hash(data: secret).withUnsafeBytes { digest in
            secretDigest.withUnsafeBytes { stored in constantTimeEquals(digest, stored) }
        }
    }
}
