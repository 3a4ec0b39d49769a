import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `tally keys` against a data directory, alone and beside a running `tally serve --auth required`.
@Suite("tally keys", .offCooperativePool)
struct KeysCommandTests {
    static func key(in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix("tally_") }.map(String.init)
    }

    @Test func createListAndRevokeNeverShowTheSecretAgain() throws {
        let data = TemporaryDirectory()
        let created = try TallyBinary.run(["keys", "create", "--scope", "read", "--name", "dashboard", "--data-dir", data.path])
        #expect(created.status == 0, "\(created.stderr)")
        let key = try #require(Self.key(in: created.stdout))
        #expect(key.count == 6 + 16 + 1 + 64)
        let id = String(key.dropFirst(6).prefix(16))
        #expect(created.stderr.contains("created key \(id) with scope read"))

        let listed = try TallyBinary.run(["keys", "list", "--data-dir", data.path])
        #expect(listed.status == 0)
        let row = try #require(listed.stdout.split(separator: "\n").first { $0.hasPrefix(id) })
        #expect(row.split(separator: "\t").map(String.init)[1] == "read")
        #expect(row.hasSuffix("\tdashboard"))
        #expect(!listed.stdout.contains(key.suffix(64)), "the secret is never listed")

        #expect(try TallyBinary.run(["keys", "revoke", id, "--data-dir", data.path]).status == 0)
        let again = try TallyBinary.run(["keys", "revoke", id, "--data-dir", data.path])
        #expect(again.status != 0)
        #expect(again.stderr.contains("no unrevoked key \(id)"))
        let revokedRow = try TallyBinary.run(["keys", "list", "--data-dir", data.path]).stdout.split(separator: "\n").first {
            $0.hasPrefix(id)
        }
        #expect(revokedRow?.split(separator: "\t")[4] != "-", "revoked time listed")

        let badScope = try TallyBinary.run(["keys", "create", "--scope", "root", "--data-dir", data.path])
        #expect(badScope.status != 0)
    }

    static func post(port: Int, key: String) async throws -> Int {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/heartbeat")!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"userId":"u","movieId":"m","duration":100,"position":5,"timestamp":"2023-11-14T22:13:20Z"}"#.utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    /// Keys made and revoked while the server runs (it holds the data directory's lock) take effect within seconds.
    @Test func keysChangeUnderARunningServer() async throws {
        guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
        let data = TemporaryDirectory()
        let port = Int.random(in: 20_000..<60_000)
        let server = try TallyProcess(binary: binary, port: port, dataDir: data.path, extra: ["--auth", "required"])
        defer { server.kill(signal: SIGKILL) }
        try await server.waitUntilHealthy()
        let created = try TallyBinary.run(["keys", "create", "--scope", "ingest", "--data-dir", data.path])
        #expect(created.status == 0, "\(created.stderr)")
        let key = try #require(Self.key(in: created.stdout))
        var status = 0
        for _ in 0..<50 where status != 202 {
            status = try await Self.post(port: port, key: key)
            if status != 202 { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(status == 202)
        #expect(try TallyBinary.run(["keys", "revoke", String(key.dropFirst(6).prefix(16)), "--data-dir", data.path]).status == 0)
        for _ in 0..<50 where status != 401 {
            status = try await Self.post(port: port, key: key)
            if status != 401 { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(status == 401)
    }

    @Test func authOffOnAReachableAddressNeedsAllowInsecure() throws {
        let run = try ServeFaultTests.runBounded(["serve", "--host", "0.0.0.0", "--auth", "off", "--port", "1"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("--allow-insecure"), "\(run.stderr)")
    }
}
