import Foundation
import Testing

/// `tally count` and `tally resume` on the inputs of issue 14: bad clocks cost only their own events, gaps in
/// history cost nothing, and a run that counts nothing (or rejects too much) fails.
@Suite("tally count and resume: event time and exit status", .offCooperativePool)
struct EventTimeCommandTests {
    /// 20,000 frames from 2,000 users, 50 a second, up to 2 s out of order (as the brief's generator, without the
    /// nested members, so that a test can change one `ts`).
    static func generatedFrames() throws -> [String] {
        var state: UInt64 = 8
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        return (0..<20_000).map { index in
            #"{"uid":"u\#(next() % 2_000)","ts":\#(1_468_244_384 + index / 50 - next() % 3),"v":\#(index)}"#
        }
    }

    static func count(_ lines: [String], _ options: [String] = ["--exact", "--windows", "minute,hour"]) throws -> TallyBinary.Result {
        try TallyBinary.run(["count"] + options, input: Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    /// Replaces the `ts` of a frame line.
    static func withTime(_ line: String, _ transform: (Int) -> Int) -> String {
        let match = line.firstMatch(of: /"ts":(\d+)/)!
        return line.replacingCharacters(in: match.range, with: #""ts":\#(transform(Int(match.1)!))"#)
    }

    @Test func oneBitFlippedTimestampCostsOnlyItsFrame() throws {
        let lines = try Self.generatedFrames()
        var flipped = lines
        flipped[7_000] = Self.withTime(lines[7_000]) { $0 ^ (1 << 14) }  // +4.5 h
        var without = lines
        without.remove(at: 7_000)
        let run = try Self.count(flipped)
        let baseline = try Self.count(without)
        #expect(run.status == 0)
        #expect(run.stdout == baseline.stdout)
        #expect(run.stderr.contains("counted=19999 late=0 rejected_too_old=0 rejected_outlier=1"), "\(run.stderr)")
    }

    @Test func aFirstFrameFarFromTheRestCostsOnlyItsFrame() throws {
        let lines = try Self.generatedFrames()
        for shift in [-388 * 86_400, 388 * 86_400] {
            let run = try Self.count([Self.withTime(lines[0]) { $0 + shift }] + lines.dropFirst())
            let baseline = try Self.count(Array(lines.dropFirst()))
            #expect(run.status == 0)
            // Early: counted in its own (long closed) windows; late: held and never corroborated.
            let extra = Set(run.stdout.split(separator: "\n")).subtracting(baseline.stdout.split(separator: "\n"))
            #expect(extra.count == (shift < 0 ? 2 : 0), "\(extra)")
            #expect(Set(baseline.stdout.split(separator: "\n")).isSubset(of: Set(run.stdout.split(separator: "\n"))))
            #expect(run.stderr.contains("rejected_too_old=0 rejected_outlier=\(shift < 0 ? 0 : 1)"), "\(run.stderr)")
        }
    }

    @Test func daysOfHistoryDaysApartAreCountedInFull() throws {
        let lines = try Self.generatedFrames()
        let later = lines.map { Self.withTime($0) { $0 + 3 * 86_400 } }
        let run = try Self.count(lines + later, ["--exact", "--windows", "day"])
        #expect(run.status == 0)
        #expect(run.stderr.contains("counted=40000 late=0 rejected_too_old=0 rejected_outlier=0"), "\(run.stderr)")
        #expect(run.stdout.split(separator: "\n").count == 2)
    }

    @Test func aHeartbeatFromTheYear9999CostsOnlyItself() throws {
        let beats = try TallyBinary.run(["generate", "heartbeats", "--users", "30", "--duration", "600", "--seed", "2"])
        var lines = beats.stdout.split(separator: "\n").map(String.init)
        let baseline = try TallyBinary.run(["resume"], input: Data(beats.stdout.utf8))
        lines.insert(#"{"userId":"mallory","movieId":"m","duration":100,"position":1,"timestamp":"9999-12-31T23:59:59Z"}"#, at: 500)
        let run = try TallyBinary.run(["resume"], input: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(run.status == 0)
        #expect(run.stdout == baseline.stdout)
        #expect(run.stderr.contains("rejected_outlier=1"), "\(run.stderr)")
    }

    @Test func nothingCountedOrTooMuchRejectedIsAnError() throws {
        let nothing = try Self.count(["{\"uid\":1}", "not json", "{\"ts\":5}"])
        #expect(nothing.status != 0)
        #expect(nothing.stderr.contains("count summary lines=3 counted=0"))
        #expect(nothing.stderr.contains("none of the 3 input lines was counted"), "\(nothing.stderr)")
        #expect(try Self.count([]).status == 0)  // empty input is not an error
        let lines = try Self.generatedFrames().prefix(800) + Array(repeating: "garbage", count: 200)
        let strict = try Self.count(Array(lines), ["--max-rejected", "0.1"])
        #expect(strict.status != 0)
        #expect(strict.stderr.contains("200 of 1000 lines (20%) were rejected, more than --max-rejected 0.1"), "\(strict.stderr)")
        #expect(try Self.count(Array(lines), ["--max-rejected", "0.25"]).status == 0)
        let resume = try TallyBinary.run(["resume"], input: Data("nope\n{}\n".utf8))
        #expect(resume.status != 0)
        #expect(resume.stderr.contains("none of the 2 input lines was counted as a heartbeat"), "\(resume.stderr)")
    }
}
