import TallyCore
import Testing

@Suite("Browser policy")
struct BrowserPolicyTests {
    @Test func loopbackServersAnswerTheirOwnNamesOnly() {
        let policy = BrowserPolicy(listenHost: "127.0.0.1")
        for host in ["127.0.0.1", "127.0.0.1:8000", "localhost:8000", "LOCALHOST", "[::1]:8000", nil] {
            #expect(policy.answers(host: host), "\(host ?? "no Host")")
        }
        for host in ["evil.example", "evil.example:8000", "127.0.0.2", "localhost.evil.example"] {
            #expect(!policy.answers(host: host), "\(host)")
        }
    }

    @Test func wildcardServersAnswerAnyNameUnlessTold() {
        #expect(BrowserPolicy(listenHost: "0.0.0.0").answers(host: "anything.example"))
        let told = BrowserPolicy(allowedHosts: ["tally.example.com"], listenHost: "0.0.0.0")
        #expect(told.answers(host: "tally.example.com:443"))
        #expect(!told.answers(host: "other.example"))
    }

    @Test func originsAreListedSameOriginOrIngestWildcard() {
        let listed = BrowserPolicy(origins: ["https://shop.example/"], listenHost: "127.0.0.1")
        #expect(listed.allows(origin: "https://shop.example", scope: .read, host: "127.0.0.1:8000"))
        #expect(listed.allows(origin: "HTTPS://SHOP.EXAMPLE", scope: .ingest, host: nil))
        #expect(!listed.allows(origin: "https://shop.example:8443", scope: .ingest, host: nil))
        #expect(!listed.allows(origin: "null", scope: .ingest, host: nil))
        #expect(listed.allows(origin: "http://127.0.0.1:8000", scope: .admin, host: "127.0.0.1:8000"), "same origin")
        #expect(!listed.allows(origin: "http://127.0.0.1:9000", scope: .admin, host: "127.0.0.1:8000"))
        #expect(listed.allows(origin: "ws://127.0.0.1", scope: .ingest, host: nil), "not a browser's origin")
        let wildcard = BrowserPolicy(origins: ["*"], listenHost: "127.0.0.1")
        #expect(wildcard.allows(origin: "https://any.example", scope: .ingest, host: nil))
        #expect(!wildcard.allows(origin: "https://any.example", scope: .read, host: nil))
    }
}
