import Foundation
import TallyCore
import Testing

@testable import TallyIO

/// `tally generate frames` against the brief generator's own sample (shared/data): a scanner tuned on frames that
/// are easier than the real ones would look faster than it is, so the shapes that decide a scan's cost must match.
@Suite("Frame generator fidelity")
struct GeneratorFidelityTests {
    /// What decides the cost of finding `uid` and `ts` in a frame.
    struct Shape {
        var frames = 0
        var bytes: [Int] = []
        /// Fraction of a frame's bytes read when both fields have been read.
        var fieldsAt: [Double] = []
        var membersBefore = 0
        var rootMembers = 0
        var backslashes = 0
        /// Values of the members before the fields, by JSON kind.
        var kindsBefore: [String: Int] = [:]

        var meanBytes: Double { Double(bytes.reduce(0, +)) / Double(frames) }
        var meanFieldsAt: Double { fieldsAt.reduce(0, +) / Double(frames) }
        func fieldsAt(quantile: Double) -> Double { fieldsAt.sorted()[Int(quantile * Double(frames - 1))] }
        func share(_ kind: String) -> Double { Double(kindsBefore[kind, default: 0]) / Double(kindsBefore.values.reduce(0, +)) }

        mutating func add(_ line: UnsafeRawBufferPointer) throws {
            frames += 1
            bytes.append(line.count)
            backslashes += line.count { $0 == 0x5C }
            var reader = JSONReader(line)
            _ = reader.consume(0x7B)
            var seen = Set<String>()
            while reader.peek() == 0x22 {
                let key = try reader.readString()
                _ = reader.consume(0x3A)
                reader.skipWhitespace()
                let kind: String =
                    switch reader.peek() {
                    case 0x7B: "object"
                    case 0x5B: "array"
                    case 0x22: "string"
                    case 0x74, 0x66: "bool"
                    default: "number"
                    }
                try reader.skipValue(depth: 1)
                rootMembers += 1
                if seen.count < 2 {
                    if key == "uid" || key == "ts" {
                        seen.insert(key)
                        if seen.count == 2 { fieldsAt.append(Double(reader.offset) / Double(line.count)) }
                    } else {
                        membersBefore += 1
                        kindsBefore[kind, default: 0] += 1
                    }
                }
                _ = reader.consume(0x2C)
            }
        }
    }

    static func shape(ofFile path: String, frames: Int) throws -> Shape {
        var shape = Shape()
        var splitter = LineSplitter()
        try InputReader(path: path).forEachChunk { chunk in
            guard shape.frames < frames else { return }
            try splitter.feed(chunk) { line in if shape.frames < frames { try shape.add(line.bytes) } }
        }
        return shape
    }

    static func shape(ofGenerated frames: Int, seed: UInt64) throws -> Shape {
        var generator = FrameGenerator(.init(count: frames, rate: 1000, users: 100_000, seed: seed))
        var bytes: [UInt8] = []
        while generator.next(into: &bytes) {}
        var shape = Shape()
        for line in bytes.split(separator: 0x0A) { try line.withUnsafeBytes { try shape.add($0) } }
        return shape
    }

    @Test func generatedFramesHaveTheShapeOfTheBriefGenerators() throws {
        let path = SampleFramesTests.directory + "/frames-brief-50k.jsonl.gz"
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("shared/data is not beside the checkout")
            return
        }
        let brief = try Self.shape(ofFile: path, frames: 10_000)
        let generated = try Self.shape(ofGenerated: 10_000, seed: 7)
        func close(_ name: String, _ ours: Double, _ theirs: Double, within tolerance: Double) {
            #expect(abs(ours - theirs) <= tolerance * theirs, "\(name): generated \(ours), brief \(theirs)")
        }
        close("mean frame bytes", generated.meanBytes, brief.meanBytes, within: 0.02)
        close("mean share of bytes read before both fields", generated.meanFieldsAt, brief.meanFieldsAt, within: 0.05)
        close("median share", generated.fieldsAt(quantile: 0.5), brief.fieldsAt(quantile: 0.5), within: 0.05)
        close("90th percentile share", generated.fieldsAt(quantile: 0.9), brief.fieldsAt(quantile: 0.9), within: 0.05)
        close("members before the fields", Double(generated.membersBefore), Double(brief.membersBefore), within: 0.05)
        close("root members", Double(generated.rootMembers), Double(brief.rootMembers), within: 0.05)
        close("backslashes", Double(generated.backslashes), Double(brief.backslashes), within: 0.05)
        for kind in ["object", "array", "string", "number", "bool"] {
            #expect(abs(generated.share(kind) - brief.share(kind)) <= 0.02, "share of \(kind) values before the fields")
        }
    }
}
