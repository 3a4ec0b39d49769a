import Testing

@testable import TallyCore

@Suite("Unique window counter")
struct UniqueWindowCounterTests {
    /// Frames over a leap-year month end and an ISO week boundary; every unit's uniques must equal a direct count.
    @Test func everyUnitMatchesADirectCountAcrossCalendarBoundaries() throws {
        let start = try ISO8601.parse("2016-02-26T00:00:00Z").secondsSinceEpoch  // a Friday, leap year
        var lines: [String] = []
        var truth: [String: Set<String>] = [:]
        var rng = SplitMix64(seed: 5)
        for i in 0..<6000 {
            let ts = start + Int64(i) * 97  // ~6.7 days, minute to week boundaries crossed
            let user = "u\(rng.next() % 700)"
            lines.append(#"{"ts":\#(ts),"uid":"\#(user)"}"#)
            for unit in CountConfiguration.supportedUnits {
                let window = unit.window(containing: Timestamp(secondsSinceEpoch: ts))
                truth["\(unit) \(ISO8601.format(window.start, style: .zulu))", default: []].insert(user)
            }
        }
        var stream = CountStream(configuration: CountConfiguration(exact: true))
        var output = ResultBuffer()
        let text = lines.joined(separator: "\r\n") + "\r\n"
        Array(text.utf8).withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let end = min(raw.count, offset + 777)
                stream.feed(UnsafeRawBufferPointer(rebasing: raw[offset..<end]), output: &output)
                offset = end
            }
        }
        stream.finish(output: &output)
        var results: [String: Int] = [:]
        for line in String(decoding: output.text, as: UTF8.self).split(separator: "\n") {
            let window = line.split(separator: "\"window\":\"")[1].prefix { $0 != "\"" }
            let start = line.split(separator: "\"start\":\"")[1].prefix { $0 != "\"" }
            let uniques = Int(line.split(separator: "\"uniques\":")[1].prefix { $0.isNumber })!
            results["\(window) \(start)"] = uniques
        }
        #expect(results.count == truth.count)
        for (key, users) in truth { #expect(results[key] == users.count, "\(key)") }
        #expect(truth.keys.contains { $0.hasPrefix("month 2016-03-01") })
        #expect(truth.keys.contains { $0.hasPrefix("week 2016-02-29") })
        #expect(stream.statistics.counted == 6000)
    }

    @Test func parentsAreTheNearestRequestedContainers() {
        let all = CountConfiguration()
        #expect(all.parents(of: .minute) == [.hour])
        #expect(all.parents(of: .day) == [.week, .month])
        #expect(all.parents(of: .month) == [.year])
        #expect(all.parents(of: .week).isEmpty)
        let sparse = CountConfiguration(units: [.minute, .month])
        #expect(sparse.parents(of: .minute) == [.month])
    }

    @Test func checkpointRoundTripContinuesIdentically() throws {
        let configuration = CountConfiguration(units: [.minute, .hour], exact: false)
        let frames = (0..<3000).map { #"{"uid":"u\#($0 % 400)","ts":\#(1_468_244_384 + $0 / 3)}"# }
        let first = Array((frames.prefix(1500).joined(separator: "\n") + "\n").utf8)
        let second = Array((frames.suffix(1500).joined(separator: "\n") + "\n").utf8)
        var whole = CountStream(configuration: configuration)
        var expected = ResultBuffer()
        (first + second).withUnsafeBytes { whole.feed($0, output: &expected) }
        whole.finish(output: &expected)

        var before = CountStream(configuration: configuration)
        var output = ResultBuffer()
        first.withUnsafeBytes { before.feed($0, output: &output) }
        var after = try CountStream(configuration: configuration, checkpoint: before.checkpoint())
        second.withUnsafeBytes { after.feed($0, output: &output) }
        after.finish(output: &output)
        #expect(output.text == expected.text)
        #expect(after.statistics.lines == 3000)
        #expect(throws: ByteReader.Failure.self) {
            try CountStream(configuration: CountConfiguration(units: [.minute]), checkpoint: before.checkpoint())
        }
    }
}
