import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `tally generate feed` against a real server: every kind of event arrives, and no request is refused.
@Suite("Live feed", .offCooperativePool)
struct GenerateFeedTests {
    private func text(_ url: String) async throws -> String {
        let (data, _) = try await URLSession.shared.data(from: URL(string: url)!)
        return String(decoding: data, as: UTF8.self)
    }

    @Test func everyKindOfEventReachesTheServer() async throws {
        guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
        let data = TemporaryDirectory()
        let port = Int.random(in: 20_000..<60_000)
        let server = try TallyProcess(binary: binary, port: port, dataDir: data.path)
        defer {
            server.kill(signal: SIGINT)
            server.wait()
        }
        try await server.waitUntilHealthy()
        let base = "http://127.0.0.1:\(port)"
        let run = try TallyBinary.run(["generate", "feed", "--url", base, "--rate", "400", "--duration", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("generate feed summary events="), "\(run.stderr)")
        let metrics = try await text(base + "/metrics")
        for kind in ["heartbeat", "watch", "ad"] {
            let line = metrics.split(separator: "\n").first { $0.hasPrefix("tally_events_accepted_total{kind=\"\(kind)\"}") }
            let count = line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
            #expect(count > 0, "no \(kind) events accepted")
        }
        let sessions = try await text(base + "/sessions?limit=5")
        #expect(sessions.contains("\"id\":\"s1-"), "\(sessions)")
        let hour = try await text(base + "/analytics?timestamp=\(Int64(Date().timeIntervalSince1970 * 1000))")
        #expect(hour.hasPrefix("unique_users,") && !hour.hasPrefix("unique_users,0"), "\(hour)")
    }

    @Test func withoutAServerItSaysSoAndFails() throws {
        let port = Int.random(in: 20_000..<60_000)
        let run = try TallyBinary.run(["generate", "feed", "--url", "http://127.0.0.1:\(port)", "--duration", "1"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("no Tally server answers at http://127.0.0.1:\(port)"), "\(run.stderr)")
    }

    @Test func aBadURLIsRefusedBeforeAnythingIsSent() throws {
        let run = try TallyBinary.run(["generate", "feed", "--url", "localhost:8000"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("--url must be an http(s) URL"), "\(run.stderr)")
    }
}
