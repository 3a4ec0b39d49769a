import Foundation
import Testing

@Suite("tally count and tally generate frames")
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
        #expect(lines.last?.contains(#""window":"year","start":"2016-01-01T00:00:00Z","end":"2017-01-01T00:00:00Z","uniques":2422,"frames":5000,"final":true"#) == true)
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

            """ + "\n" // a blank last line
        // Without --validate a frame is read only up to its two fields, so the unterminated line 3 still counts.
        let fast = try TallyBinary.run(["count", "--exact", "--windows", "minute"], input: Data(input.utf8))
        #expect(fast.status == 0)
        #expect(fast.stdout.contains(#""uniques":3,"frames":3"#))
        #expect(fast.stderr.contains("count: line 4, byte 85: no uid at the top level"))
        #expect(fast.stderr.contains("lines=7 counted=3 late=0 rejected_too_old=0 rejected_too_far_ahead=1 malformed=0 missing_fields=1 invalid_fields=1 blank=1"))
        let strict = try TallyBinary.run(["count", "--exact", "--windows", "minute", "--validate"], input: Data(input.utf8))
        #expect(strict.stdout.contains(#""uniques":2,"frames":2"#))
        #expect(strict.stderr.contains("count: line 3, byte 84: not valid JSON"))
        #expect(strict.stderr.contains("lines=7 counted=2 late=0 rejected_too_old=0 rejected_too_far_ahead=1 malformed=1 missing_fields=1 invalid_fields=1 blank=1"))
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
        let users = Set(try frames.stdout.split(separator: "\n").map { line in
            (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["uid"] as? String ?? ""
        })
        #expect(users.count > 450)
        #expect(exact.stdout.contains(#""uniques":\#(users.count)"#))
        #expect(estimate.stdout.contains(#""uniques":\#(users.count)"#)) // sparse HyperLogLog: exact at this size
    }

    @Test func badOptionsAreErrors() throws {
        #expect(try TallyBinary.run(["count", "--windows", "fortnight"]).status != 0)
        #expect(try TallyBinary.run(["count", "--precision", "30"]).status != 0)
        #expect(try TallyBinary.run(["count", "--emit", "sometimes"]).stderr.contains("--emit"))
    }
}
