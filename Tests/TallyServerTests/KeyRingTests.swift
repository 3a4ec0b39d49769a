import TallyCore
import TallyPipeline
import Testing

@testable import TallyServer

/// The per-request key check below HTTP: reading `Authorization`, parsing a key in place, the ring's lookup and its
/// record of uses.
@Suite("Key ring")
struct KeyRingTests {
    static func record(_ token: APIKeyToken, _ scope: AccessScope = .ingest, revoked: Bool = false) -> APIKeyRecord {
        APIKeyRecord(
            id: token.id, name: "", scope: scope, secretDigest: token.secretDigest, createdAt: Timestamp(millisecondsSinceEpoch: 1),
            revokedAt: revoked ? Timestamp(millisecondsSinceEpoch: 2) : nil)
    }

    @Test func bearerCredentialsAreReadInPlace() {
        #expect(AccessCheck.bearerCredentials("Bearer abc") == "abc")
        #expect(AccessCheck.bearerCredentials("bEaReR   abc") == "abc")
        #expect(AccessCheck.bearerCredentials("  BEARER abc") == "abc")
        #expect(AccessCheck.bearerCredentials("Bearer abc ") == "abc ", "a trailing space is part of the key, which then fails")
        #expect(AccessCheck.bearerCredentials("Bearer") == nil)
        #expect(AccessCheck.bearerCredentials("Bearer   ") == nil)
        #expect(AccessCheck.bearerCredentials("Basic dXNlcjpwYXNz") == nil)
        #expect(AccessCheck.bearerCredentials("Bearerx abc") == nil)
        #expect(AccessCheck.bearerCredentials("Bearer\tabc") == nil)
    }

    @Test func keyTextIsParsedStrictly() {
        let token = APIKeyToken.generate()
        #expect(APIKeyToken(token.text) == token)
        #expect(APIKeyToken(token.text.uppercased()) == nil)
        #expect(APIKeyToken(token.text + "0") == nil)
        #expect(APIKeyToken(String(token.text.dropLast())) == nil)
        #expect(APIKeyToken(token.text.replacingOccurrences(of: "tally_", with: "tallx_")) == nil)
        var separator = Array(token.text.utf8)
        separator[APIKeyToken.prefix.utf8.count + APIKeyToken.idLength] = UInt8(ascii: "-")
        #expect(APIKeyToken(String(decoding: separator, as: UTF8.self)) == nil)
        #expect(APIKeyToken.numericID("00000000000000ff".utf8) == 255)
        #expect(APIKeyToken.numericID("ffffffffffffffff".utf8) == UInt64.max)
        #expect(APIKeyToken.numericID("0000000000000g00".utf8) == nil)
        #expect(APIKeyToken.numericID("ff".utf8) == nil)
    }

    @Test func theRingAcceptsOnlyTheRightSecretOfAnUnrevokedKey() {
        let (good, revoked, unknown) = (APIKeyToken.generate(), APIKeyToken.generate(), APIKeyToken.generate())
        let ring = KeyRing()
        ring.install([Self.record(good, .read), Self.record(revoked, revoked: true)])
        let now = Timestamp(millisecondsSinceEpoch: 5)
        #expect(ring.authenticate(Substring(good.text), now: now)?.scope == .read)
        #expect(ring.authenticate(Substring(revoked.text), now: now) == nil)
        #expect(ring.authenticate(Substring(unknown.text), now: now) == nil)
        // The right id with another key's secret.
        let forged = APIKeyToken.prefix + good.id + "_" + unknown.secret
        #expect(ring.authenticate(Substring(forged), now: now) == nil)
        // A key inside a longer header value, as bearerCredentials hands it over.
        let header = "Bearer " + good.text
        #expect(ring.authenticate(header.dropFirst(7), now: now)?.id == good.id)
        #expect(ring.count == 1)
    }

    @Test func usesAreTakenOnceAndSurviveARefresh() {
        let (a, b) = (APIKeyToken.generate(), APIKeyToken.generate())
        let ring = KeyRing()
        ring.install([Self.record(a), Self.record(b)])
        _ = ring.authenticate(Substring(a.text), now: Timestamp(millisecondsSinceEpoch: 10))
        _ = ring.authenticate(Substring(a.text), now: Timestamp(millisecondsSinceEpoch: 20))
        ring.install([Self.record(a), Self.record(b)])
        #expect(ring.takeUses() == [a.id: Timestamp(millisecondsSinceEpoch: 20)])
        #expect(ring.takeUses().isEmpty)
        _ = ring.authenticate(Substring(b.text), now: Timestamp(millisecondsSinceEpoch: 30))
        ring.install([Self.record(a)])
        #expect(ring.takeUses().isEmpty, "a key gone from the store takes its uses with it")
    }
}
