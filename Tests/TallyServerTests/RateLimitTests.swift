import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TallyCore
import TallyPipeline
import TallyServer
import Testing

@Suite("Rate limits")
struct RateLimitTests {
    static func configuration(auth: Bool, proxies: Set<String> = []) -> ServerConfiguration {
        var configuration = auth ? AccessTests.required() : ServerConfiguration.fewUsers
        let writes = RateLimit(perSecond: 0.01, burst: 3)
        let reads = RateLimit(perSecond: 0.01, burst: 2)
        configuration.rateLimits = RateLimits(
            perKeyWrites: writes, perKeyReads: reads, perAddressWrites: RateLimit(perSecond: 0.01, burst: 5),
            perAddressReads: RateLimit(perSecond: 0.01, burst: 100), trustedProxies: proxies)
        return configuration
    }

    /// A burst over a key's limit is answered 429 with Retry-After, and counted; another key and reads are not hit.
    @Test func aBurstOverAKeysLimitIs429() async throws {
        let keys = AccessTests.Keys()
        try await withTally(configuration: Self.configuration(auth: true), store: AccessTests.storeWith(keys), testing: .live) { client in
            func write(_ key: APIKeyToken) async throws -> TestResponse {
                try await client.execute(
                    uri: "/heartbeat", method: .post, headers: [.authorization: "Bearer \(key.text)", .contentType: "application/json"],
                    body: ByteBuffer(string: AccessTests.heartbeat))
            }
            var statuses: [UInt] = []
            for _ in 0..<4 { statuses.append(UInt(try await write(keys.ingest).status.code)) }
            #expect(statuses == [202, 202, 202, 429])
            let limited = try await write(keys.ingest)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.errorObject["code"] as? String == "rate_limited")
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)
            #expect(try await write(keys.admin).status == .accepted, "another key has its own bucket")
            let metrics = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(keys.admin.text)"])
            #expect(metrics.text.contains(#"tally_rate_limited_total{limit="key",kind="write"}"#))
            // The address's bucket (5) has given 4 writes (a write refused by its key's bucket takes none from it):
            // the admin key's second write is its fifth, the third is refused for the address, whatever the key.
            #expect(try await write(keys.admin).status == .accepted)
            let byAddress = try await write(keys.admin)
            #expect(byAddress.status == .tooManyRequests)
            #expect((byAddress.errorObject["message"] as? String)?.contains("from this address") == true)
        }
    }

    /// Behind a trusted proxy each client is limited by the address the proxy reports, not the proxy's.
    @Test func trustedProxiesNameTheClient() async throws {
        try await withTally(configuration: Self.configuration(auth: false, proxies: ["127.0.0.1"]), testing: .live) { client in
            func write(from address: String) async throws -> UInt {
                UInt(
                    try await client.execute(
                        uri: "/heartbeat", method: .post,
                        headers: [.contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: "203.0.113.9, \(address)"],
                        body: ByteBuffer(string: AccessTests.heartbeat)
                    ).status.code)
            }
            var first: [UInt] = []
            for _ in 0..<6 { first.append(try await write(from: "198.51.100.1")) }
            #expect(first == [202, 202, 202, 202, 202, 429])
            #expect(try await write(from: "198.51.100.2") == 202, "another client behind the same proxy")
        }
    }
}
