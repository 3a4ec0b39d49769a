import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TallyCore
import TallyServer
import TallyStore

/// A tmpfs can be mounted here (root, as in CI); elsewhere the full-disk test is skipped.
private let canMountTmpfs: Bool = {
    let probe = TemporaryDirectory()
    guard (try? Shell.run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", probe.path]))?.status == 0 else { return false }
    _ = try? Shell.run("/bin/umount", [probe.path])
    return true
}()

/// The store's own faults, on real stores: a disk that fills up. Each must
/// cost clients a quick 503 with `Retry-After`, be visible in `/health`, and heal by itself.
@Suite("Store faults", .serialized)
struct StoreFaultTests {
    static func batch(_ first: Int, count: Int, movie: String) -> String {
        (first..<first + count).map { heartbeatJSON(user: "u\($0)", movie: movie, position: 10, timestamp: "2023-11-14T22:13:20Z") }
            .joined(separator: "\n")
    }

    static func took<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
        let started = ContinuousClock.now
        let value = try await body()
        return (value, ContinuousClock.now - started)
    }

    @Test(.enabled(if: canMountTmpfs, "cannot mount a tmpfs (needs root); full-disk test skipped"))
    func aFullDiskIsReportedByHealthAndHealsWhenSpaceReturns() async throws {
        let mount = TemporaryDirectory()
        try #require(try Shell.run("/bin/mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", mount.path]).status == 0)
        defer { _ = try? Shell.run("/bin/umount", ["-l", mount.path]) }
        let movie = String(repeating: "m", count: 200)
        try await withTally(directory: mount) { client in
            var acked = 0
            var refused: TestResponse?
            for round in 0..<200 {
                let response = try await client.post("/heartbeats", Self.batch(round * 1000, count: 1000, movie: movie), contentType: "application/x-ndjson")
                if response.status == .accepted { acked += 1000 } else { refused = response; break }
            }
            let full = try #require(refused, "3 MB never filled up")
            #expect(full.status == .serviceUnavailable)
            #expect(full.headers[.retryAfter] == "1")
            let health = try await client.get("/health")
            #expect(health.status == .serviceUnavailable)
            #expect(health.headers[.retryAfter] == "1")
            #expect(health.json["writes"] as? String == "failing")
            #expect(health.errorObject["code"] as? String == "writes_failing")
            #expect((health.errorObject["message"] as? String ?? "").contains("full"), "\(health.text)")

            try #require(try Shell.run("/bin/mount", ["-o", "remount,size=64m", mount.path]).status == 0)
            let retried = try await client.post("/heartbeats", Self.batch(900_000, count: 1000, movie: movie), contentType: "application/x-ndjson")
            #expect(retried.status == .accepted)
            let healed = try await client.get("/health")
            #expect(healed.status == .ok, "\(healed.text)")
            #expect(healed.json["writes"] as? String == "ok")
            // The refused batch left nothing behind: every acknowledged event, and only those, is counted.
            #expect(try await client.get("/movies/\(movie)/watch-time").json["events"] as? Int == acked + 1000)
        }
    }
}
