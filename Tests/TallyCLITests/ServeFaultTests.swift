import Foundation
import Testing

/// `tally serve` against faults of its surroundings: a port or a data directory already taken, a password that must
/// not appear in `ps`. Each must end the process at once with a message that names the problem.
@Suite("tally serve faults", .offCooperativePool, .serialized)
struct ServeFaultTests {
    /// Runs `tally ARGUMENTS`, killing it after `deadline` (so a regression to hanging fails instead of blocking the
    /// suite); returns its exit status, stderr and how long it ran.
    static func runBounded(_ arguments: [String], deadline: Duration = .seconds(15)) throws -> (
        status: Int32, stderr: String, took: Duration
    ) {
        guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        let started = ContinuousClock.now
        try process.run()
        let errors = ReadAll(stderr.fileHandleForReading)
        let watchdog = Thread {
            Thread.sleep(forTimeInterval: Double(deadline.components.seconds))
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        watchdog.start()
        process.waitUntilExit()
        let took = ContinuousClock.now - started
        return (process.terminationStatus, String(decoding: errors.wait(), as: UTF8.self), took)
    }

    @Test func aPortInUseEndsTheServerAtOnceNamingTheAddress() async throws {
        guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
        let first = TemporaryDirectory()
        let second = TemporaryDirectory()
        let port = Int.random(in: 20_000..<60_000)
        let server = try TallyProcess(binary: binary, port: port, dataDir: first.path)
        try await server.waitUntilHealthy()
        let run = try Self.runBounded(["serve", "--port", String(port), "--data-dir", second.path])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("127.0.0.1:\(port) is in use"), "\(run.stderr)")
        #expect(run.took < .seconds(5), "took \(run.took)")
        server.kill(signal: SIGTERM)
        #expect(server.wait() == 0)
    }

    @Test func aSecondServerOnOneDataDirectoryExitsNamingTheFirst() async throws {
        guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
        let data = TemporaryDirectory()
        let port = Int.random(in: 20_000..<60_000)
        let server = try TallyProcess(binary: binary, port: port, dataDir: data.path)
        try await server.waitUntilHealthy()
        let run = try Self.runBounded(["serve", "--port", String(port + 1), "--data-dir", data.path])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("in use by another Tally process (pid \(server.process.processIdentifier))"), "\(run.stderr)")
        server.kill(signal: SIGKILL)
        server.wait()
        // kill -9 leaves no stale lock: the kernel released it with the process.
        let restarted = try TallyProcess(binary: binary, port: port, dataDir: data.path)
        try await restarted.waitUntilHealthy()
        restarted.kill(signal: SIGTERM)
        #expect(restarted.wait() == 0)
    }

    @Test func thePostgresPasswordCanStayOutOfTheCommandLine() throws {
        let help = try TallyBinary.run(["serve", "--help"])
        for source in ["TALLY_POSTGRES_URL", "--postgres-password-file", "PGPASSWORD"] {
            #expect(help.stdout.contains(source), "\(source) not in --help")
        }
        let missing = try Self.runBounded([
            "serve", "--postgres", "postgres://tally@127.0.0.1:1/db", "--postgres-password-file", "/nonexistent/secret",
        ])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("cannot read the PostgreSQL password file /nonexistent/secret"), "\(missing.stderr)")
    }
}
