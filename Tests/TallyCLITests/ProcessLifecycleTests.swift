import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Runs the real `tally` binary (built next to the test bundle by `swift test`) and kills it, to prove what the
/// README promises: an acknowledged event survives `kill -9`, and SIGTERM drains in-flight requests and exits 0.
@Suite("tally serve process lifecycle", .offCooperativePool, .serialized)
struct ProcessLifecycleTests {
    @Test func acknowledgedEventsSurviveKillNine() async throws {
        guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
        let data = TemporaryDirectory()
        let port = Int.random(in: 20_000..<40_000)
        let server = try TallyProcess(binary: binary, port: port, dataDir: data.path)
        try await server.waitUntilHealthy()
        let acked = try await Self.sendWhile(port: port, seconds: 0.6) { server.kill(signal: SIGKILL) }
        #expect(acked > 0)
        server.wait()

        let restarted = try TallyProcess(binary: binary, port: port, dataDir: data.path)
        try await restarted.waitUntilHealthy()
        let stored = try await Self.storedEvents(port: port)
        // Requests in flight at the kill may have committed without their ack arriving: never fewer than acked.
        #expect(stored >= acked)
        restarted.kill(signal: SIGTERM)
        #expect(restarted.wait() == 0)
    }

    @Test func acknowledgedSessionEntriesSurviveKillNine() async throws {
        guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
        let data = TemporaryDirectory()
        let port = Int.random(in: 20_000..<60_000)
        let server = try TallyProcess(binary: binary, port: port, dataDir: data.path)
        try await server.waitUntilHealthy()
        _ = try await LoopbackHTTP.post(port: port, "/sessions/s/events", #"[{"timestamp":1,"type":"SESSION_START","session_id":"s"}]"#)
        let acked = Counter()
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<8 {
                group.addTask {
                    var i = 0
                    while (try? await LoopbackHTTP.post(
                        port: port, "/sessions/s/events", #"[{"timestamp":2,"type":"EVENT","name":"c\#(client)-\#(i)"}]"#)) == 202
                    {
                        acked.increment()
                        i += 1
                    }
                }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(500))
                server.kill(signal: SIGKILL)
            }
        }
        server.wait()
        let restarted = try TallyProcess(binary: binary, port: port, dataDir: data.path)
        try await restarted.waitUntilHealthy()
        let total = try await LoopbackHTTP.json(port: port, "/sessions/s/events?after=0&timeout=0")["total"] as? Int ?? -1
        #expect(acked.value > 0)
        #expect(total >= acked.value + 1)
        restarted.kill(signal: SIGTERM)
        #expect(restarted.wait() == 0)
    }

    @Test func sigtermFinishesInFlightRequestsAndExitsZero() async throws {
        guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
        let data = TemporaryDirectory()
        let port = Int.random(in: 40_000..<60_000)
        let server = try TallyProcess(binary: binary, port: port, dataDir: data.path, extra: ["--commit-delay", "50ms"])
        try await server.waitUntilHealthy()
        let acked = try await Self.sendWhile(port: port, seconds: 0.5) { server.kill(signal: SIGTERM) }
        #expect(server.wait() == 0)
        #expect(acked > 0)

        let restarted = try TallyProcess(binary: binary, port: port, dataDir: data.path)
        try await restarted.waitUntilHealthy()
        #expect(try await Self.storedEvents(port: port) == acked)
        restarted.kill(signal: SIGTERM)
        #expect(restarted.wait() == 0)
    }

    /// Posts watch events from 16 concurrent clients for `seconds`, then runs `stop`, and counts the 202s.
    static func sendWhile(port: Int, seconds: Double, stop: @escaping @Sendable () -> Void) async throws -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        return await withTaskGroup(of: Int.self) { group in
            for client in 0..<16 {
                group.addTask {
                    var acked = 0
                    while true {
                        guard let status = try? await LoopbackHTTP.post(port: port, "/events", #"{"user":"c\#(client)","slug":"s","at":1}"#)
                        else { break }
                        if status == 202 { acked += 1 } else if status != 503 { break }
                    }
                    return acked
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(max(0, deadline.timeIntervalSinceNow)))
                stop()
                return 0
            }
            var total = 0
            for await count in group { total += count }
            return total
        }
    }

    static func storedEvents(port: Int) async throws -> Int {
        try await LoopbackHTTP.json(port: port, "/movies/s/watch-time")["events"] as? Int ?? -1
    }
}

/// A thread-safe count for test clients.
final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// A `tally serve` child process.
final class TallyProcess: Sendable {
    let process: Process
    let port: Int

    init(binary: URL, port: Int, dataDir: String, extra: [String] = []) throws {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--port", String(port), "--data-dir", dataDir, "--log-level", "warning"] + extra
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.process = process
        self.port = port
    }

    func waitUntilHealthy() async throws {
        for _ in 0..<100 {
            if let (_, response) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/health")!),
                (response as? HTTPURLResponse)?.statusCode == 200
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CancellationError()
    }

    func kill(signal: Int32) {
        Foundation.kill(process.processIdentifier, signal)
    }

    @discardableResult
    func wait() -> Int32 {
        process.waitUntilExit()
        return process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
    }
}
