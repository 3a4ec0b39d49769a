import Foundation
import TallyCore
import Testing

@testable import TallyIO

@Suite("Input reader")
struct InputReaderTests {
    func temporaryFile(_ bytes: [UInt8]) -> String {
        let path = NSTemporaryDirectory() + "tally-io-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func readAll(_ path: String, blockSize: Int = 1 << 20) throws -> [UInt8] {
        var all: [UInt8] = []
        try InputReader(path: path, blockSize: blockSize).forEachChunk { all.append(contentsOf: $0) }
        return all
    }

    func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let source = temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: source) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-c", source]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }

    @Test func readsPlainFilesInBlocks() throws {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let path = temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try readAll(path, blockSize: 4096) == bytes)
    }

    @Test func gunzipsTransparentlyIncludingConcatenatedMembers() throws {
        let first = Array(String(repeating: "{\"a\":1}\n", count: 20_000).utf8)
        let second = Array("tail\n".utf8)
        let path = temporaryFile(try gzip(first) + gzip(second))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try readAll(path, blockSize: 1000) == first + second)
    }

    @Test func truncatedGzipIsAnError() throws {
        let compressed = try gzip(Array(String(repeating: "abcdef", count: 10_000).utf8))
        let path = temporaryFile(Array(compressed.prefix(compressed.count / 2)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: GzipInflater.Failure.self) { try readAll(path) }
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: InputReader.Failure.self) { try InputReader(path: "/nonexistent/tally-input") }
    }

    @Test func sharedSampleFramesDecompress() throws {
        let path = "../shared/data/frames-ordered.jsonl.gz"
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("shared/data is not beside the checkout; the sample frames test needs it")
            return
        }
        var splitter = LineSplitter()
        try InputReader(path: path).forEachChunk { chunk in splitter.feed(chunk) { _ in } }
        splitter.finish { _ in }
        #expect(splitter.lineCount == 5000)
    }
}
