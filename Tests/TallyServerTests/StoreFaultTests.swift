import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TallyCore
import TallyPipeline
import TallyPostgres
import TallyServer
import Testing

private let postgresTestsEnabled = ProcessInfo.processInfo.environment["TALLY_TEST_POSTGRES_URL"] != nil

/// A tmpfs can be mounted here (root, as in CI); elsewhere the full-disk test is skipped.
@Sendable private func canMountTmpfs() async -> Bool {
    let probe = TemporaryDirectory()
    guard (try? await Shell.run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", probe.path]))?.status == 0 else { return false }
    _ = try? await Shell.run("/bin/umount", [probe.path])
    return true
}

/// The store's own faults, on real stores: a disk that fills up, a database that stops. Each must
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

    @Test(.enabled("cannot mount a tmpfs (needs root); full-disk test skipped", canMountTmpfs))
    func aFullDiskIsReportedByHealthAndHealsWhenSpaceReturns() async throws {
        let mount = TemporaryDirectory()
        try #require(try await Shell.run("/bin/mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", mount.path]).status == 0)
        do {
            try await fillAndHeal(mount)
        } catch {
            _ = try? await Shell.run("/bin/umount", ["-l", mount.path])
            throw error
        }
        _ = try? await Shell.run("/bin/umount", ["-l", mount.path])
    }

    func fillAndHeal(_ mount: TemporaryDirectory) async throws {
        let movie = String(repeating: "m", count: 200)
        try await withTally(directory: mount) { client in
            var acked = 0
            var refused: TestResponse?
            for round in 0..<200 {
                let response = try await client.post(
                    "/heartbeats", Self.batch(round * 1000, count: 1000, movie: movie), contentType: "application/x-ndjson")
                if response.status == .accepted {
                    acked += 1000
                } else {
                    refused = response
                    break
                }
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

            try #require(try await Shell.run("/bin/mount", ["-o", "remount,size=64m", mount.path]).status == 0)
            let retried = try await client.post(
                "/heartbeats", Self.batch(900_000, count: 1000, movie: movie), contentType: "application/x-ndjson")
            #expect(retried.status == .accepted)
            let healed = try await client.get("/health")
            #expect(healed.status == .ok, "\(healed.text)")
            #expect(healed.json["writes"] as? String == "ok")
            // The refused batch left nothing behind: every acknowledged event, and only those, is counted.
            #expect(try await client.get("/movies/\(movie)/watch-time").json["events"] as? Int == acked + 1000)
        }
    }

    /// A cluster of the test's own (not the shared one: stopping that would fail every other PostgreSQL test).
    @Test(.enabled(if: postgresTestsEnabled, "TALLY_TEST_POSTGRES_URL is not set; PostgreSQL outage test skipped"))
    func aStoppedPostgresCostsAQuick503AndHealsWhenItReturns() async throws {
        let port = Int.random(in: 56_000..<57_000)
        let script = Shell.repositoryRoot + "/scripts/postgres-throwaway.sh"
        let started = try await Shell.run(script, ["start", "\(port)"])
        try #require(started.status == 0, "\(started.output)")
        let url = try #require(started.output.split(separator: "\n").last(where: { $0.hasPrefix("postgres://") }).map(String.init))
        do {
            try await outageAndRecovery(url: url, script: script, port: port)
        } catch {
            _ = try? await Shell.run(script, ["stop", "\(port)"])
            throw error
        }
        _ = try? await Shell.run(script, ["stop", "\(port)"])
    }

    func outageAndRecovery(url: String, script: String, port: Int) async throws {
        let settings = try PostgresSettings(url: url, schema: uniqueName("outage_"), maximumConnections: 4)
        try await PostgresStores.withStores { stores in
            try await withTally(store: { _ in try await stores.open(settings: settings, logger: Logger(label: "test")) }) { client in
                #expect(try await client.post("/heartbeats", Self.batch(0, count: 10, movie: "m")).status == .accepted)
                let stopped = try await Shell.run(script, ["stop", "\(port)"])
                try #require(stopped.status == 0, "\(stopped.output)")

                let (refused, took) = try await Self.took { try await client.post("/heartbeats", Self.batch(10, count: 10, movie: "m")) }
                #expect(refused.status == .serviceUnavailable, "\(refused.text)")
                #expect(refused.headers[.retryAfter] != nil)
                #expect(took < .seconds(4), "a POST with PostgreSQL down took \(took)")
                let (health, healthTook) = try await Self.took { try await client.get("/health") }
                #expect(health.status == .serviceUnavailable, "\(health.text)")
                #expect(healthTook < .seconds(4), "/health with PostgreSQL down took \(healthTook)")

                let resumed = try await Shell.run(script, ["resume", "\(port)"])
                try #require(resumed.status == 0, "\(resumed.output)")
                var healed = false
                for _ in 0..<30 where !healed {
                    healed = try await client.post("/heartbeats", Self.batch(20, count: 10, movie: "m")).status == .accepted
                    if !healed { try await Task.sleep(for: .seconds(1)) }
                }
                #expect(healed, "writes never recovered after PostgreSQL returned")
                #expect(try await client.get("/health").status == .ok)
                #expect(try await client.get("/movies/m/watch-time").json["events"] as? Int == 20)
            }
        }
    }
}
