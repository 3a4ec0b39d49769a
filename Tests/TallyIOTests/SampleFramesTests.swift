import Foundation
import TallyCore
import Testing

@testable import TallyIO

/// The brief's own generator output (shared/data) against its exact answers.
@Suite("tally count on the shared sample frames")
struct SampleFramesTests {
    static let directory = "../shared/data"

    struct Expected {
        var frames: Int
        var uniques: Int
        var perMinute: [Int64: Int]
    }

    static func expected(_ name: String) throws -> Expected? {
        guard let data = FileManager.default.contents(atPath: directory + "/expected.json"),
            let all = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let entry = all[name] as? [String: Any]
        else { return nil }
        let minutes = (entry["unique_uids_per_minute"] as? [String: Int] ?? [:])
        return Expected(
            frames: entry["frames"] as? Int ?? -1, uniques: entry["unique_uids"] as? Int ?? -1,
            perMinute: Dictionary(uniqueKeysWithValues: minutes.map { (Int64($0.key)!, $0.value) }))
    }

    /// Runs the file through `CountStream`; returns the last result per (unit, start).
    static func count(_ file: String, exact: Bool) throws -> (results: [String: [String: Any]], stream: CountStream) {
        var stream = CountStream(configuration: CountConfiguration(exact: exact))
        var output = ResultBuffer()
        try InputReader(path: directory + "/" + file, blockSize: 100_003).forEachChunk { stream.feed($0, output: &output) }
        stream.finish(output: &output)
        var latest: [String: [String: Any]] = [:]
        for line in String(decoding: output.text, as: UTF8.self).split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            latest["\(object["window"]!) \(object["start"]!)"] = object
        }
        return (latest, stream)
    }

    @Test(arguments: ["frames-ordered.jsonl", "frames-late.jsonl"])
    func exactModeMatchesTheExpectedAnswers(_ name: String) throws {
        guard let expected = try Self.expected(name) else {
            Issue.record("shared/data is not beside the checkout")
            return
        }
        let (results, stream) = try Self.count(name + ".gz", exact: true)
        #expect(stream.statistics.lines == expected.frames)
        #expect(stream.statistics.counted == expected.frames)
        for (start, uniques) in expected.perMinute {
            let key = "minute " + ISO8601.format(Timestamp(secondsSinceEpoch: start), style: .zulu)
            #expect(results[key]?["uniques"] as? Int == uniques, "\(name) \(key)")
        }
        #expect(results.keys.filter { $0.hasPrefix("minute ") }.count == expected.perMinute.count)
        let year = results.first { $0.key.hasPrefix("year ") }?.value
        #expect(year?["uniques"] as? Int == expected.uniques)
        #expect(year?["frames"] as? Int == expected.frames)
        let day = results.first { $0.key.hasPrefix("day ") }?.value
        #expect(day?["uniques"] as? Int == expected.uniques)
    }

    @Test(arguments: ["frames-ordered.jsonl", "frames-late.jsonl"])
    func hyperLogLogStaysWithinItsErrorBound(_ name: String) throws {
        guard let expected = try Self.expected(name) else {
            Issue.record("shared/data is not beside the checkout")
            return
        }
        let (results, _) = try Self.count(name + ".gz", exact: false)
        for (start, uniques) in expected.perMinute {
            let key = "minute " + ISO8601.format(Timestamp(secondsSinceEpoch: start), style: .zulu)
            let estimate = results[key]?["uniques"] as? Int ?? -1
            #expect(abs(Double(estimate - uniques)) / Double(uniques) <= 3 * 1.04 / 128, "\(name) \(key): \(estimate) vs \(uniques)")
        }
        let year = results.first { $0.key.hasPrefix("year ") }?.value["uniques"] as? Int ?? -1
        #expect(abs(Double(year - expected.uniques)) / Double(expected.uniques) <= 3 * 1.04 / 128)
    }

    @Test func lateFramesReviseClosedMinutes() throws {
        let (_, stream) = try Self.count("frames-late.jsonl.gz", exact: true)
        #expect(stream.statistics.late > 0)
        #expect(stream.statistics.revisions > 0)
        #expect(stream.statistics.rejectedTooOld == 0)
    }
}
