import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `GET /resume/stream` against the real server, read with curl as a downstream consumer would.
@Suite("Resume stream", .offCooperativePool, .serialized)
struct ResumeStreamTests {
    func follow(_ url: String) throws -> (Process, Pipe) {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-sN", url]
        let pipe = Pipe()
        curl.standardOutput = pipe
        try curl.run()
        return (curl, pipe)
    }

    func read(_ pipe: Pipe, until marker: String, seconds: Double = 10) -> String {
        var received = Data()
        let deadline = Date().addingTimeInterval(seconds)
        while !String(decoding: received, as: UTF8.self).contains(marker), Date() < deadline {
            received.append(pipe.fileHandleForReading.availableData)
        }
        return String(decoding: received, as: UTF8.self)
    }

    @Test func streamsClosedWindowsAsNDJSONAndSSEAndEndsOnShutdown() async throws {
        guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") else {
            Issue.record("curl is needed for this test (apt-get install curl)")
            return
        }
        let data = TemporaryDirectory()
        let port = Int.random(in: 20_000..<60_000)
        let server = try TallyProcess(binary: binary, port: port, dataDir: data.path)
        try await server.waitUntilHealthy()
        let (ndjson, ndjsonOut) = try follow("http://127.0.0.1:\(port)/resume/stream?format=ndjson")
        let (sse, sseOut) = try follow("http://127.0.0.1:\(port)/resume/stream")
        try await Task.sleep(for: .milliseconds(300))

        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/heartbeats")!)
        request.httpMethod = "POST"
        request.setValue("application/x-ndjson", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(
            """
            {"userId":"u","movieId":"m","duration":100,"position":5,"timestamp":"2021-10-26T13:27:30Z"}
            {"userId":"u","movieId":"m","duration":100,"position":9,"timestamp":"2021-10-26T13:28:30Z"}
            """.utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 202)

        let line = #"[{"userId":"u","movieId":"m","position":5,"timestamp":"2021-10-26T13:27:30+0000"}]"#
        #expect(read(ndjsonOut, until: "\n") == line + "\n")
        #expect(read(sseOut, until: "\n\n") == "event: resume\nid: 1635254820000-0\ndata: \(line)\n\n")

        // Open streams must not hold up a graceful shutdown.
        let began = Date()
        server.kill(signal: SIGTERM)
        #expect(server.wait() == 0)
        #expect(Date().timeIntervalSince(began) < 5)
        ndjson.waitUntilExit()
        sse.waitUntilExit()
        // Each stream's last item says why it ended.
        #expect(read(ndjsonOut, until: "}}\n").hasPrefix(#"{"end":{"reason":"shutdown","message":"#))
        #expect(read(sseOut, until: "}}\n\n").hasPrefix(#"event: end"# + "\n" + #"data: {"end":{"reason":"shutdown""#))
    }
}
