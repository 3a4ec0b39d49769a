import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("tally count and tally generate frames", .offCooperativePool)
struct CountCommandTests {
    @Test func countsTheSharedSampleAndAccountsForEveryLine() throws {
        let path = "../shared/data/frames-late.jsonl.gz"
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("shared/data is not beside the checkout")
            return
        }
        let result = try TallyBinary.run(["count", path, "--exact", "--windows", "minute,year"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(
            lines.last?.contains(
                #""window":"year","start":"2016-01-01T00:00:00Z","end":"2017-01-01T00:00:00Z","uniques":2422,"frames":5000,"final":true"#)
                == true)
        #expect(lines.contains { $0.contains(#""revision":1"#) })
        #expect(result.stderr.contains("count summary lines=5000 counted=5000"))
    }

    @Test func malformedFramesAreCountedAndReportedWithByteOffsets() throws {
        let input = """
            {"uid":"a","ts":1468244384}
            {"uid":"b","ts":"1468244385"}
            {"uid":"c","ts":1468244386
            {"nested":{"uid":"x","ts":1},"ts":1468244387}
            {"uid":"d","ts":-5}
            {"uid":"e","ts":99999999999999}

            """ + "\n"  // a blank last line
        // Without --validate a frame is read only up to its two fields, so the unterminated line 3 still counts.
        let fast = try TallyBinary.run(["count", "--exact", "--windows", "minute"], input: Data(input.utf8))
        #expect(fast.status == 0)
        #expect(fast.stdout.contains(#""uniques":3,"frames":3"#))
        #expect(fast.stderr.contains("count: line 4, byte 85: no uid at the top level"))
        #expect(
            fast.stderr.contains(
                "lines=7 counted=3 late=0 rejected_too_old=0 rejected_outlier=1 handed_over=0 malformed=0 missing_fields=1 invalid_fields=1 blank=1"
            ))
        let strict = try TallyBinary.run(["count", "--exact", "--windows", "minute", "--validate"], input: Data(input.utf8))
        #expect(strict.stdout.contains(#""uniques":2,"frames":2"#))
        #expect(strict.stderr.contains("count: line 3, byte 84: not valid JSON"))
        #expect(
            strict.stderr.contains(
                "lines=7 counted=2 late=0 rejected_too_old=0 rejected_outlier=1 handed_over=0 malformed=1 missing_fields=1 invalid_fields=1 blank=1"
            ))
    }

    @Test func generatedFramesCountLikeTheBriefSays() throws {
        let frames = try TallyBinary.run(["generate", "frames", "-c", "3000", "-r", "10", "-n", "500", "-s", "4"])
        #expect(frames.status == 0)
        #expect(frames.stdout.split(separator: "\n").count == 3000)
        let again = try TallyBinary.run(["generate", "frames", "-c", "3000", "-r", "10", "-n", "500", "-s", "4"])
        #expect(again.stdout == frames.stdout)
        let exact = try TallyBinary.run(["count", "--exact", "--windows", "day", "--validate"], input: Data(frames.stdout.utf8))
        let estimate = try TallyBinary.run(["count", "--windows", "day"], input: Data(frames.stdout.utf8))
        #expect(exact.stderr.contains("counted=3000"))
        let users = Set(
            try frames.stdout.split(separator: "\n").map { line in
                (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["uid"] as? String ?? ""
            })
        #expect(users.count > 450)
        #expect(exact.stdout.contains(#""uniques":\#(users.count)"#))
        #expect(estimate.stdout.contains(#""uniques":\#(users.count)"#))  // sparse HyperLogLog: exact at this size
    }

    @Test func badOptionsAreErrors() throws {
        #expect(try TallyBinary.run(["count", "--windows", "fortnight"]).status != 0)
        #expect(try TallyBinary.run(["count", "--precision", "30"]).status != 0)
        #expect(try TallyBinary.run(["count", "--emit", "sometimes"]).stderr.contains("--emit"))
    }

    /// Usage errors (exit 64), never a crash: a duration whose milliseconds overflow used to trap.
    @Test(arguments: [
        ["--emit", "sometimes"], ["--emit", "updates=0s"], ["--emit", "updates="], ["--emit", "updates=99999999999999999d"],
        ["--retention", "99999999999999999d"], ["--retention", "-1s"],
    ])
    func badDurationsAndEmitModesAreUsageErrors(arguments: [String]) throws {
        let result = try TallyBinary.run(["count"] + arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(arguments[0]))
    }

    /// Each setting's default, range and variable come from one definition: the help shows the default the run
    /// uses, a variable is checked like its flag, and the flag wins over the variable.
    @Test func settingsComeFromOneDefinition() throws {
        let help = try TallyBinary.run(["count", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("Allowed: 4 to 18. [env: TALLY_PRECISION] (default: 14)"), "\(help)")
        let variable = try TallyBinary.run(["count"], environment: ["TALLY_PRECISION": "30"])
        #expect(variable.status == 64)
        #expect(variable.stderr.contains("--precision (or TALLY_PRECISION) must be from 4 to 18, not 30"), "\(variable.stderr)")
        let flagWins = try TallyBinary.run(["count", "--precision", "12"], environment: ["TALLY_PRECISION": "30"])
        #expect(flagWins.status == 0, "\(flagWins.stderr)")
        let resume = try TallyBinary.run(["resume"], environment: ["TALLY_LATENESS": "1s"])
        #expect(resume.status == 0, "\(resume.stderr)")
        #expect(resume.stderr.contains("TALLY_LATENESS is not read by tally resume"), "\(resume.stderr)")
        #expect(
            try TallyBinary.run(["resume"], environment: ["TALLY_RESUME_LATENESS": "soon"]).stderr.contains("TALLY_RESUME_LATENESS=soon"))
    }

    /// serve's settings, the same way: bad values of flags and variables are usage errors naming both, before
    /// anything is opened; the old --commit-delay-ms is checked as the duration it stands for.
    @Test(arguments: [
        (["serve", "--port", "0"], [String: String](), "--port (or TALLY_PORT) must be from 1 to 65535, not 0"),
        (["serve", "--commit-delay", "2s"], [:], "--commit-delay (or TALLY_COMMIT_DELAY) must be from 0 to 1s, not 2s"),
        (["serve", "--commit-delay-ms", "2000"], [:], "--commit-delay (or TALLY_COMMIT_DELAY) must be from 0 to 1s, not 2s"),
        (["serve"], ["TALLY_HEADER_TIMEOUT": "0s"], "--header-timeout (or TALLY_HEADER_TIMEOUT) must be positive, not 0ms"),
        (["serve"], ["TALLY_MAX_BODY_BYTES": "10"], "--max-body-bytes (or TALLY_MAX_BODY_BYTES) must be at least 1024, not 10"),
    ])
    func serveSettingsAreChecked(arguments: [String], environment: [String: String], message: String) throws {
        let result = try TallyBinary.run(arguments + ["--data-dir", "/nonexistent/tally"], environment: environment)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func emitIsTypedWithItsDefaultInHelp() throws {
        let help = try TallyBinary.run(["count", "--help"]).stdout
        #expect(help.contains("default: final)"), "\(help)")
        let updates = try TallyBinary.run(["count", "--exact", "--windows", "minute", "--emit", "updates=250ms"], input: Data())
        #expect(updates.status == 0, "\(updates.stderr)")
    }
}

@Suite("tally count checkpoints", .offCooperativePool)
struct CountCheckpointTests {
    /// The last result per (window, start) in NDJSON output.
    static func latest(_ outputs: [String]) throws -> [String: String] {
        var latest: [String: String] = [:]
        for output in outputs {
            for line in output.split(separator: "\n") {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                latest["\(object["window"]!) \(object["start"]!)"] = "uniques=\(object["uniques"]!) frames=\(object["frames"]!)"
            }
        }
        return latest
    }

    /// Synchronous on purpose: polling with `Task.sleep` can be starved by other tests blocking the shared pool,
    /// and then the run finishes before it is killed.
    @Test func killedRunResumesWithoutLosingOrDoubleCounting() throws {
        guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
        let dir = TemporaryDirectory()
        let input = dir.path + "/frames.jsonl"
        let checkpoint = dir.path + "/count.checkpoint"
        let generated = try TallyBinary.run([
            "generate", "frames", "-c", "60000", "-r", "20", "-n", "20000", "-d", "10", "-p", "5", "-s", "3", "-o", input,
        ])
        #expect(generated.status == 0)
        let arguments = ["count", input, "--exact", "--windows", "minute,hour,year"]
        let reference = try TallyBinary.run(arguments)
        #expect(reference.status == 0)

        // Run with frequent checkpoints and kill -9 it once a checkpoint exists.
        let first = Process()
        first.executableURL = binary
        first.arguments = arguments + ["--checkpoint", checkpoint, "--checkpoint-interval", "20ms"]
        let firstOutput = Pipe()
        first.standardOutput = firstOutput
        first.standardError = FileHandle.nullDevice
        let collected = ReadAll(firstOutput.fileHandleForReading)
        try first.run()
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: checkpoint), Date() < deadline { Thread.sleep(forTimeInterval: 0.002) }
        Thread.sleep(forTimeInterval: 0.05)
        let killedMidway = first.isRunning
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let partial = String(decoding: collected.wait(), as: UTF8.self)
        #expect(killedMidway, "the run finished before it could be killed; make the input larger")

        let resumed = try TallyBinary.run(arguments + ["--checkpoint", checkpoint])
        #expect(resumed.status == 0)
        #expect(resumed.stderr.contains("count: resuming from"))
        let expected = try Self.latest([reference.stdout])
        #expect(try Self.latest([partial, resumed.stdout]) == expected)
        #expect(expected.count > 40)

        // A rerun after completion does nothing.
        let again = try TallyBinary.run(arguments + ["--checkpoint", checkpoint])
        #expect(again.status == 0)
        #expect(again.stdout.isEmpty)
        #expect(again.stderr.contains("fully processed"))
    }

    @Test func checkpointsRefuseStdinAndOtherOptions() throws {
        let dir = TemporaryDirectory()
        let input = dir.path + "/f.jsonl"
        try #"{"uid":"a","ts":1468244384}"#.write(toFile: input, atomically: true, encoding: .utf8)
        let stdin = try TallyBinary.run(["count", "--checkpoint", dir.path + "/ck"])
        #expect(stdin.status != 0)
        #expect(stdin.stderr.contains("stdin"))
        // A checkpoint of an unfinished run made with other options is refused.
        let ck = dir.path + "/ck2"
        _ = try TallyBinary.run(["count", input, "--exact", "--checkpoint", ck])
        let other = try TallyBinary.run(["count", dir.path + "/other.jsonl", "--checkpoint", ck])
        #expect(other.status != 0)
        #expect(other.stderr.contains("other inputs"))
    }

    /// A file that is not a count checkpoint (here a HyperLogLog's magic, then a truncated one) is refused with
    /// what was expected and found, and what to do; the run does not start over silently.
    @Test func unusableCheckpointsAreClearErrors() throws {
        let dir = TemporaryDirectory()
        let input = dir.path + "/f.jsonl"
        try #"{"uid":"a","ts":1468244384}"#.write(toFile: input, atomically: true, encoding: .utf8)
        let ck = dir.path + "/ck"
        try Data("THL1 and more".utf8).write(to: URL(fileURLWithPath: ck))
        let foreign = try TallyBinary.run(["count", input, "--checkpoint", ck])
        #expect(foreign.status != 0)
        #expect(
            foreign.stderr.contains("expected a checkpoint of file inputs (TCF1) but found a HyperLogLog sketch (THL1)"),
            "\(foreign.stderr)")
        #expect(foreign.stderr.contains("remove it to start over"))
        try Data("TCF1\u{1}".utf8).write(to: URL(fileURLWithPath: ck))
        let truncated = try TallyBinary.run(["count", input, "--checkpoint", ck])
        #expect(truncated.status != 0)
        #expect(truncated.stderr.contains("cannot resume from checkpoint \(ck)"), "\(truncated.stderr)")
    }
}

@Suite("tally count --threads", .offCooperativePool)
struct CountThreadsTests {
    @Test func threadsGiveByteIdenticalResultsAndAccounting() throws {
        let dir = TemporaryDirectory()
        let input = dir.path + "/frames.jsonl"
        #expect(
            try TallyBinary.run([
                "generate", "frames", "-c", "12000", "-r", "20", "-n", "3000", "-d", "30", "-p", "10", "-s", "8", "-o", input,
            ]).status == 0)
        // Some bad lines in the middle, to check line numbers and offsets across blocks.
        var text = try String(contentsOfFile: input, encoding: .utf8)
        text += "{\"uid\":\"tail\"}\nnot json\n{\"uid\":\"last\",\"ts\":1468245000}"
        try text.write(toFile: input, atomically: true, encoding: .utf8)
        for mode in [["--exact"], []] {
            let one = try TallyBinary.run(["count", input, "--windows", "minute,hour,year"] + mode)
            let many = try TallyBinary.run(["count", input, "--windows", "minute,hour,year", "--threads", "3"] + mode)
            #expect(one.status == 0 && many.status == 0)
            #expect(one.stdout == many.stdout)
            // Progress lines come every few seconds, so a slow machine prints one more in one run than the other.
            let strip = { (s: String) in
                s.split(separator: "\n").filter { !$0.hasPrefix("count progress") }.map { $0.split(separator: " seconds=")[0] }
            }
            #expect(strip(one.stderr) == strip(many.stderr))
            #expect(one.stderr.contains("lines=12003 counted=12001"))
        }
        #expect(try TallyBinary.run(["count", "--threads", "2"]).status != 0)
    }
}

@Suite("tally count --emit updates", .offCooperativePool)
struct CountUpdatesTests {
    @Test func provisionalResultsPrecedeTheFinalOnes() async throws {
        guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["count", "--exact", "--windows", "hour", "--emit", "updates=10ms"]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        let output = LineCollector(stdout.fileHandleForReading)
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let parse = { (line: Substring) in (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:] }
        for batch in 0..<3 {
            let lines = (0..<50).map { #"{"uid":"u\#(batch * 50 + $0)","ts":\#(1_468_244_384 + batch * 10 + $0 % 5)}"# }
            stdin.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            // Each batch is answered by a provisional result before the next one is sent, however slow the machine.
            let seen = output.waitForLine {
                let result = parse($0)
                return result["final"] as? Bool == false && result["uniques"] as? Int == (batch + 1) * 50
            }
            #expect(seen, "no provisional result counting batch \(batch)")
            if !seen { break }
        }
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        let results = output.wait().map(parse)
        let provisional = results.filter { $0["final"] as? Bool == false }
        #expect(results.last?["final"] as? Bool == true)
        #expect(results.last?["uniques"] as? Int == 150)
        let counts = provisional.compactMap { $0["uniques"] as? Int }
        #expect(counts == counts.sorted())
        #expect(counts.allSatisfy { $0 <= 150 })
    }
}

/// `tally count --shard` on parts of a file and `tally count --merge` of their output give the file's results.
@Suite("tally count --shard and --merge", .offCooperativePool)
struct CountMergeCommandTests {
    @Test func shardsOfAFileMergeIntoTheFilesResults() throws {
        let directory = TemporaryDirectory()
        let file = directory.path + "/frames.jsonl"
        #expect(try TallyBinary.run(["generate", "frames", "-c", "6000", "-r", "20", "-n", "800", "-s", "3", "-o", file]).status == 0)
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        var shardFiles: [String] = []
        for (index, part) in [lines.enumerated().filter { $0.offset % 2 == 0 }, lines.enumerated().filter { $0.offset % 2 == 1 }]
            .enumerated()
        {
            let path = directory.path + "/part\(index).jsonl"
            try (part.map { String($0.element) }.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            let shard = try TallyBinary.run(["count", path, "--shard", "s\(index)", "-o", path + ".shard"])
            #expect(shard.status == 0)
            shardFiles.append(path + ".shard")
        }
        let merged = try TallyBinary.run(["count", "--merge"] + shardFiles)
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stderr.contains("invalid=0"))
        let single = try TallyBinary.run(["count", file])
        // Files are merged as a whole: one result per window, equal to counting the file (HyperLogLog union is exact
        // for the registers, so even the estimates agree).
        #expect(merged.stdout == single.stdout)
        #expect(single.stdout.split(separator: "\n").count > 5)
    }

    @Test func mergeRefusesOptionsItCannotHonour() throws {
        let result = try TallyBinary.run(["count", "--merge", "--exact", "--windows", "minute"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("drop --windows, --exact"))
    }
}
