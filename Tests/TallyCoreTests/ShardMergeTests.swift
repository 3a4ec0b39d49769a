import Foundation
import Testing

@testable import TallyCore

@Suite("Base64")
struct Base64Tests {
    @Test func rfc4648Vectors() throws {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(String(decoding: Base64.encode(Array(plain.utf8)), as: UTF8.self) == encoded)
            #expect(try Base64.decode(Array(encoded.utf8)) == Array(plain.utf8))
        }
    }

    @Test func roundTripsEveryLengthAndAgreesWithFoundation() throws {
        var rng = SplitMix64(seed: 5)
        for length in 0..<300 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let encoded = Base64.encode(bytes)
            #expect(String(decoding: encoded, as: UTF8.self) == Data(bytes).base64EncodedString())
            #expect(try Base64.decode(encoded) == bytes)
        }
    }

    @Test func rejectsWhatIsNotBase64() {
        for bad in ["Zg=", "Z===x", "Zm9v!A==", "Zg==Zg==x", "é"] {
            #expect(throws: Base64.DecodingError.self, "\(bad)") { try Base64.decode(Array(bad.utf8)) }
        }
    }
}

@Suite("Shard merge")
struct ShardMergeTests {
    static let frames: [UInt8] = {
        var generator = FrameGenerator(.init(count: 20_000, rate: 5, users: 3_000, maxDelay: 4, delayProbability: 0.2, seed: 21))
        var bytes: [UInt8] = []
        while generator.next(into: &bytes) {}
        return bytes
    }()

    static func count(_ bytes: [UInt8], exact: Bool, shard: String? = nil) -> [UInt8] {
        var stream = CountStream(configuration: CountConfiguration(exact: exact, precision: 12))
        stream.shard = shard
        var output = ResultBuffer()
        bytes.withUnsafeBytes { stream.feed($0, output: &output) }
        stream.finish(output: &output)
        return output.text
    }

    /// (window, start) → (uniques, frames) of the latest revision.
    static func latest(_ output: [UInt8]) throws -> [String: [Int]] {
        var latest: [String: (revision: Int, values: [Int])] = [:]
        for line in output.split(separator: 0x0A) {
            let object = try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any]
            let key = "\(object["window"]!) \(object["start"]!)"
            let revision = object["revision"] as! Int
            if revision >= latest[key]?.revision ?? -1 {
                latest[key] = (revision, [object["uniques"] as! Int, object["frames"] as! Int])
            }
        }
        return latest.mapValues(\.values)
    }

    /// Frames dealt round-robin to two shards (as Kafka spreads unkeyed messages), so most users are in both.
    @Test(arguments: [true, false])
    func twoShardsMergedEqualOneProcessor(exact: Bool) throws {
        let lines = Self.frames.split(separator: 0x0A, omittingEmptySubsequences: false)
        var parts: [[UInt8]] = [[], []]
        for (index, line) in lines.enumerated() where !line.isEmpty {
            parts[index % 2] += line
            parts[index % 2].append(0x0A)
        }
        let single = Self.count(Self.frames, exact: exact)
        let shardOutputs = [Self.count(parts[0], exact: exact, shard: "a"), Self.count(parts[1], exact: exact, shard: "b")]
        // Interleave the shards' lines, as a merge consuming both reads them.
        let a = shardOutputs[0].split(separator: 0x0A)
        let b = shardOutputs[1].split(separator: 0x0A)
        var interleaved: [UInt8] = []
        for index in 0..<max(a.count, b.count) {
            for side in [a, b] where index < side.count { interleaved += side[index] + [0x0A] }
        }
        var merge = MergeStream(retention: .seconds(7200))
        var merged = ResultBuffer()
        interleaved.withUnsafeBytes { merge.feed($0) }
        merge.finish(output: &merged)
        #expect(merge.merger.statistics.invalid == 0)
        let expected = try Self.latest(single)
        #expect(expected.count > 60)
        #expect(try Self.latest(merged.text) == expected)
    }

    @Test func restoredMergeContinuesLikeAnUninterruptedOne() throws {
        let shard = Self.count(Self.frames, exact: false, shard: "only")
        var whole = MergeStream(retention: .seconds(600))
        var expected = ResultBuffer()
        shard.withUnsafeBytes { whole.feed($0) }
        whole.finish(output: &expected)

        let cut = shard.count / 2
        let lineEnd = shard[..<cut].lastIndex(of: 0x0A)! + 1
        var first = MergeStream(retention: .seconds(600))
        var output = ResultBuffer()
        shard[..<lineEnd].withUnsafeBytes { first.feed($0) }
        first.flush(output: &output)
        var second = try MergeStream(retention: .seconds(600), checkpoint: first.checkpoint())
        Array(shard[lineEnd...]).withUnsafeBytes { second.feed($0) }
        second.finish(output: &output)
        #expect(try Self.latest(output.text) == Self.latest(expected.text))
        #expect(second.merger.statistics == whole.merger.statistics)
        #expect(throws: ByteReader.Failure.self) { _ = try MergeStream(retention: .seconds(60), checkpoint: first.checkpoint()) }
    }

    @Test func badLinesAreCountedAndNamed() throws {
        let good = String(decoding: Self.count(Array(Self.frames.prefix(20_000)), exact: true, shard: "a"), as: UTF8.self)
            .split(separator: "\n").first!
        let hll = String(decoding: Self.count(Array(Self.frames.prefix(20_000)), exact: false, shard: "b"), as: UTF8.self)
            .split(separator: "\n").first!
        let input = [
            String(good), "not json", #"{"window":"minute"}"#,
            String(good).replacingOccurrences(of: #""sketch":""#, with: #""sketch":"!!"#), String(hll), "  ", "",
        ]
        var merge = MergeStream(retention: .seconds(7200))
        var output = ResultBuffer()
        Array(input.joined(separator: "\n").utf8).withUnsafeBytes { merge.feed($0) }
        merge.finish(output: &output)
        let stats = merge.merger.statistics
        #expect(stats.contributions == 1)
        #expect(stats.invalid == 4)
        #expect(stats.blank == 1)
        let messages = merge.merger.firstProblems.map(\.message)
        #expect(messages[0].hasPrefix("not valid JSON"))
        #expect(messages[1].contains("missing or invalid: shard, start, end, frames, final, revision, sketch"))
        #expect(messages[2].hasPrefix("sketch:"))
        #expect(messages[3].contains("cannot be merged"))
        #expect(String(decoding: output.text, as: UTF8.self).split(separator: "\n").count == 1)
    }

    @Test func contributionsOlderThanTheRetentionAreRejected() throws {
        func contribution(_ minute: Int64, final: Bool = true) -> ShardContribution {
            let start = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000 / 60_000 * 60_000 + minute * 60_000)
            return ShardContribution(
                shard: "s", window: WindowUnit.minute.window(containing: start), frames: 1, final: final,
                revision: 0, sketch: .exact(["u"]))
        }
        var merger = ShardMerger(retention: .seconds(600))
        var results: [CountResult] = []
        merger.add(contribution(0))
        merger.add(contribution(30))
        merger.flush(into: &results)
        #expect(merger.openWindows == 1)
        merger.add(contribution(5))
        merger.add(contribution(25))
        merger.flush(into: &results)
        #expect(merger.statistics.rejectedTooOld == 1)
        #expect(results.count == 3)
    }
}

/// Kafka delivers one frame per message: fed as records (no newline search, no copy), the frames give the same
/// results and the same accounting as the same bytes fed as a file.
@Suite("Records")
struct RecordFeedTests {
    @Test func framesAsRecordsCountLikeTheFile() {
        let frames = ShardMergeTests.frames
        var asFile = CountStream(configuration: CountConfiguration(exact: true))
        var expected = ResultBuffer()
        frames.withUnsafeBytes { asFile.feed($0, output: &expected) }
        asFile.finish(output: &expected)

        var asRecords = CountStream(configuration: CountConfiguration(exact: true))
        var output = ResultBuffer()
        for (index, line) in frames.split(separator: 0x0A).enumerated() {
            // Some producers keep the line end in the value.
            let record = index % 3 == 0 ? Array(line) + [0x0A] : index % 3 == 1 ? Array(line) + [0x0D, 0x0A] : Array(line)
            record.withUnsafeBytes { asRecords.feed(record: $0, output: &output) }
        }
        asRecords.finish(output: &output)
        #expect(output.text == expected.text)
        #expect(asRecords.statistics == asFile.statistics)
    }

    @Test func aRecordIsOneLineEvenWithNewlinesInside() {
        var splitter = LineSplitter()
        var lines: [String] = []
        let collect = { (line: LineSplitter.Line) in
            lines.append(String(decoding: line.bytes, as: UTF8.self) + "@\(line.number):\(line.offset)")
        }
        Array("partial".utf8).withUnsafeBytes { splitter.feed($0, collect) }
        Array("{\n\"a\": 1\n}\n".utf8).withUnsafeBytes { splitter.record($0, collect) }
        Array("next".utf8).withUnsafeBytes { splitter.record($0, collect) }
        #expect(lines == ["partial@1:0", "{\n\"a\": 1\n}@2:7", "next@3:18"])
        #expect(splitter.bytesSeen == 23)
    }
}
