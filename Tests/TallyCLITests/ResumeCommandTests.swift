import Foundation
import Testing

@Suite("tally resume and tally generate", .offCooperativePool)
struct ResumeCommandTests {
    static let brief = """
        {"userId":"user_987","movieId":"movie_214","duration":3097,"position":3000,"timestamp":"2021-10-26T13:27:01+0000"}
        {"userId":"user_987","movieId":"movie_007","duration":5000,"position":250,"timestamp":"2021-10-26T13:27:31+0000"}
        not json
        """

    @Test func printsTheBriefsArrayAndAccountsForEveryLine() throws {
        let result = try TallyBinary.run(["resume"], input: Data(Self.brief.utf8))
        #expect(result.status == 0)
        #expect(
            result.stdout
                == #"[{"userId":"user_987","movieId":"movie_214","position":3000,"timestamp":"2021-10-26T13:27:01+0000"},{"userId":"user_987","movieId":"movie_007","position":250,"timestamp":"2021-10-26T13:27:31+0000"}]"#
                + "\n")
        #expect(result.stderr.contains("resume: line 3: not valid JSON"))
        #expect(result.stderr.contains("resume summary lines=3 events=2 invalid=1"))
    }

    @Test func prettyFormatPrintsTheBriefsLayoutWithWindowHeaders() throws {
        let result = try TallyBinary.run(["resume", "--format", "pretty"], input: Data(Self.brief.utf8))
        #expect(
            result.stdout == """
                [{"userId":"user_987","movieId":"movie_214","position":3000,"timestamp":"2021-10-26T13:27:01+0000"},
                 {"userId":"user_987","movieId":"movie_007","position":250,"timestamp":"2021-10-26T13:27:31+0000"}]

                """)
        #expect(result.stderr.contains("window 2021-10-26T13:27:00Z .. 2021-10-26T13:28:00Z"))
    }

    @Test func strictModeFailsWithTheLineNumber() throws {
        let result = try TallyBinary.run(["resume", "--strict"], input: Data(Self.brief.utf8))
        #expect(result.status != 0)
        #expect(result.stderr.contains("line 3"))
    }

    @Test func badArgumentsAreErrors() throws {
        let window = try TallyBinary.run(["resume", "--window", "fortnight"])
        #expect(window.status != 0)
        #expect(window.stderr.contains("--window"))
        let missing = try TallyBinary.run(["resume", "/nonexistent/input.ndjson"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("cannot open /nonexistent/input.ndjson"))
    }

    @Test func generatorIsDeterministicAndResumeReadsGzip() throws {
        let args = ["generate", "heartbeats", "--users", "200", "--duration", "180", "--late-fraction", "0.1", "--seed", "9"]
        let first = try TallyBinary.run(args)
        let second = try TallyBinary.run(args)
        #expect(first.status == 0)
        #expect(first.stdout == second.stdout)
        #expect(first.stdout.split(separator: "\n").count == 200 * 18)
        let other = try TallyBinary.run(args.dropLast() + ["10"])
        #expect(other.stdout != first.stdout)

        let dir = TemporaryDirectory()
        let plain = dir.path + "/hb.ndjson"
        try first.stdout.write(toFile: plain, atomically: true, encoding: .utf8)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", plain]
        try gzip.run()
        gzip.waitUntilExit()
        let fromPlain = try TallyBinary.run(["resume", plain, "--late", "emit"])
        let fromGzip = try TallyBinary.run(["resume", plain + ".gz", "--late", "emit"])
        #expect(fromPlain.status == 0)
        #expect(fromPlain.stdout == fromGzip.stdout)
        #expect(fromPlain.stdout.contains("\"revision\":1"))
        #expect(fromPlain.stderr.contains("events=3600 invalid=0"))
    }

    @Test func idleStdinClosesWindowsWithoutEndOfInput() throws {
        guard let url = TallyBinary.url else { throw TallyBinary.MissingBinary() }
        let process = Process()
        process.executableURL = url
        process.arguments = ["resume", "--idle-timeout", "200ms", "--lateness", "1s"]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { process.terminate() }
        // The watermark stops at 13:27:58; with stdin left open, only idle advance (200 ms timeout, then at
        // wall-clock speed) can carry it past 13:28:00 and close the window, about 2 s later.
        stdin.fileHandleForWriting.write(
            Data(
                """
                {"userId":"u","movieId":"m","duration":100,"position":5,"timestamp":"2021-10-26T13:27:30Z"}
                {"userId":"u","movieId":"m","duration":100,"position":6,"timestamp":"2021-10-26T13:27:59Z"}

                """.utf8))
        var received = Data()
        let deadline = Date().addingTimeInterval(10)
        while !received.contains(0x0A), Date() < deadline {
            received.append(stdout.fileHandleForReading.availableData)
        }
        #expect(
            String(decoding: received, as: UTF8.self)
                == #"[{"userId":"u","movieId":"m","position":6,"timestamp":"2021-10-26T13:27:59+0000"}]"# + "\n")
        #expect(process.isRunning)
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
