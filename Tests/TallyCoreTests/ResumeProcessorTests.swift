import Foundation
import Testing

@testable import TallyCore

private func beat(_ user: String, _ movie: String, _ position: Int64, _ time: String) -> String {
    #"{"userId":"\#(user)","movieId":"\#(movie)","duration":3600,"position":\#(position),"timestamp":"\#(time)"}"#
}

/// Runs NDJSON text through a `ResumeStream` in the given chunk sizes (cycled) and returns stdout.
func runResume(
    _ text: String, configuration: ResumeConfiguration = ResumeConfiguration(),
    format: ResumeOutputFormat = .compact, chunks: [Int] = [1 << 20]
) throws -> (String, ResumeStream) {
    var stream = ResumeStream(configuration: configuration, format: format)
    var output = ResultBuffer()
    let bytes = Array(text.utf8)
    try bytes.withUnsafeBytes { raw in
        var start = 0
        var k = 0
        while start < raw.count {
            let end = min(raw.count, start + chunks[k % chunks.count])
            try stream.feed(UnsafeRawBufferPointer(rebasing: raw[start..<end]), output: &output)
            start = end
            k += 1
        }
    }
    try stream.finish(output: &output)
    return (String(decoding: output.text, as: UTF8.self), stream)
}

@Suite("Resume-position windows")
struct ResumeProcessorTests {
    @Test func reproducesTheBriefsExampleByteForByte() throws {
        let input = [
            beat("user_987", "movie_214", 2990, "2021-10-26T13:27:00+0000"),
            beat("user_987", "movie_007", 240, "2021-10-26T13:27:21+0000"),
            beat("user_987", "movie_214", 3000, "2021-10-26T13:27:01+0000"),
            beat("user_987", "movie_007", 250, "2021-10-26T13:27:31+0000"),
        ].joined(separator: "\n")
        let expected = """
            [{"userId":"user_987","movieId":"movie_214","position":3000,"timestamp":"2021-10-26T13:27:01+0000"},
             {"userId":"user_987","movieId":"movie_007","position":250,"timestamp":"2021-10-26T13:27:31+0000"}]

            """
        #expect(try runResume(input, format: .pretty).0 == expected)
        #expect(try runResume(input).0 == expected.replacingOccurrences(of: "\n ", with: ""))
    }

    @Test func emitsOnlyWhenTheWatermarkPassesTheWindowEnd() throws {
        // One user: with the default corroboration (3 users) the clock would wait for the end; 1 trusts each user.
        var processor = ResumeWindowProcessor(configuration: ResumeConfiguration(lateness: .seconds(10), corroboration: 1))
        var out: [ResumeWindowOutput] = []
        let h = { (s: String) in Heartbeat(userId: "u", movieId: "m", duration: 100, position: 1, timestamp: try! ISO8601.parse(s)) }
        processor.apply(h("2021-10-26T13:27:30Z"), into: &out)
        processor.apply(h("2021-10-26T13:28:09Z"), into: &out)  // watermark 13:27:59: not yet
        #expect(out.isEmpty)
        processor.apply(h("2021-10-26T13:28:10Z"), into: &out)  // watermark 13:28:00 = end of the 13:27 window
        #expect(out.count == 1)
        #expect(out.first?.window.start == (try ISO8601.parse("2021-10-26T13:27:00Z")))
        processor.finish(into: &out)
        #expect(out.count == 2)
        #expect(processor.openWindows == 0)
    }

    @Test func latestTimestampWinsTiesGoToLaterArrival() throws {
        let input = [
            beat("u", "m", 50, "2021-10-26T13:27:40Z"),
            beat("u", "m", 10, "2021-10-26T13:27:10Z"),  // older: ignored
            beat("u", "m", 60, "2021-10-26T13:27:40Z"),  // tie: later arrival wins
        ].joined(separator: "\n")
        #expect(try runResume(input).0 == #"[{"userId":"u","movieId":"m","position":60,"timestamp":"2021-10-26T13:27:40+0000"}]"# + "\n")
    }

    @Test func usersInStableOrderMoviesByTimestampThenId() throws {
        let input = [
            beat("zed", "b", 1, "2021-10-26T13:27:05Z"), beat("amy", "y", 2, "2021-10-26T13:27:09Z"),
            beat("amy", "x", 3, "2021-10-26T13:27:09Z"), beat("amy", "w", 4, "2021-10-26T13:27:01Z"),
        ].joined(separator: "\n")
        let lines = try runResume(input).0.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix(#"[{"userId":"amy","movieId":"w""#))
        #expect(lines[0].contains(#""movieId":"x","position":3,"timestamp":"2021-10-26T13:27:09+0000"},{"userId":"amy","movieId":"y""#))
        #expect(lines[1].hasPrefix(#"[{"userId":"zed""#))
    }

    @Test func lateEventsAreCountedAndDroppedByDefault() throws {
        let input = [
            beat("u", "m", 1, "2021-10-26T13:27:30Z"), beat("u", "m", 2, "2021-10-26T13:28:30Z"),
            beat("u", "m", 3, "2021-10-26T13:27:50Z"),  // window closed at watermark 13:28:20
        ].joined(separator: "\n")
        let (output, stream) = try runResume(input)
        #expect(stream.processor.statistics.late == 1)
        #expect(stream.processor.statistics.lateDropped == 1)
        #expect(output.split(separator: "\n").count == 2)
        #expect(!output.contains("\"position\":3"))
    }

    @Test func lateEventsReEmitWithRevisionWhenAsked() throws {
        let input = [
            beat("u", "m", 1, "2021-10-26T13:27:30Z"), beat("u", "m", 2, "2021-10-26T13:28:30Z"),
            beat("u", "m", 3, "2021-10-26T13:27:50Z"), beat("u", "n", 4, "2021-10-26T13:27:55Z"),
        ].joined(separator: "\n")
        let (output, stream) = try runResume(input, configuration: ResumeConfiguration(late: .emit))
        let lines = output.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                #"[{"userId":"u","movieId":"m","position":1,"timestamp":"2021-10-26T13:27:30+0000"}]"#,
                #"[{"userId":"u","movieId":"m","position":3,"timestamp":"2021-10-26T13:27:50+0000","revision":1}]"#,
                #"[{"userId":"u","movieId":"m","position":3,"timestamp":"2021-10-26T13:27:50+0000","revision":2},{"userId":"u","movieId":"n","position":4,"timestamp":"2021-10-26T13:27:55+0000","revision":2}]"#,
                #"[{"userId":"u","movieId":"m","position":2,"timestamp":"2021-10-26T13:28:30+0000"}]"#,
            ])
        #expect(stream.processor.statistics.lateRevised == 2)
    }

    @Test func lateEventsOlderThanTheRetentionAreDropped() throws {
        let input = [
            beat("u", "m", 1, "2021-10-26T13:27:30Z"), beat("u", "m", 2, "2021-10-26T15:00:00Z"),
            beat("u", "m", 3, "2021-10-26T13:27:50Z"),
        ].joined(separator: "\n")
        let config = ResumeConfiguration(late: .emit, retention: .seconds(600))
        let (_, stream) = try runResume(input, configuration: config)
        #expect(stream.processor.statistics.lateDropped == 1)
        #expect(stream.processor.statistics.lateRevised == 0)
    }

    @Test func invalidLinesAreSkippedCountedAndReportedWithLineNumbers() throws {
        let input = [
            beat("u", "m", 1, "2021-10-26T13:27:30Z"), "not json", "", #"{"userId":"u"}"#,
            beat("u", "m", 2, "2021-10-26T13:27:40Z"),
        ].joined(separator: "\r\n")
        let (output, stream) = try runResume(input)
        #expect(stream.invalidLines == 2)
        #expect(stream.firstInvalid.map(\.line) == [2, 4])
        #expect(output.contains("\"position\":2"))
    }

    @Test func strictModeStopsAtTheFirstInvalidLine() {
        let input = [beat("u", "m", 1, "2021-10-26T13:27:30Z"), "{bad"].joined(separator: "\n")
        var stream = ResumeStream(configuration: ResumeConfiguration(), strict: true)
        var output = ResultBuffer()
        #expect(throws: ResumeStream.StrictModeError.self) {
            try Array(input.utf8).withUnsafeBytes { try stream.feed($0, output: &output) }
            try stream.finish(output: &output)
        }
    }

    @Test func anyChunkingGivesByteIdenticalOutput() throws {
        var lines: [String] = []
        var rng = SplitMix64(seed: 7)
        for i in 0..<3000 {
            let user = "user_\(rng.next() % 40)"
            let second = i / 10 + Int(rng.next() % 15)  // out of order within 15 s
            let time = ISO8601.format(Timestamp(secondsSinceEpoch: 1_635_254_400 + Int64(second)), style: .numericOffset)
            lines.append(beat(user, "movie_\(rng.next() % 5)", Int64(i), time))
        }
        lines.insert("garbage", at: 1500)
        let text = lines.joined(separator: "\n") + "\n"
        for late in LatePolicy.allCases {
            let config = ResumeConfiguration(lateness: .seconds(5), late: late)
            let reference = try runResume(text, configuration: config).0
            #expect(reference.split(separator: "\n").count > 200)
            for _ in 0..<10 {
                let chunks = (0..<50).map { _ in Int(rng.next() % 300) + 1 }
                #expect(try runResume(text, configuration: config, chunks: chunks).0 == reference)
            }
            #expect(try runResume(text, configuration: config, chunks: [1]).0 == reference)
        }
    }
}

@Suite("Line splitter")
struct LineSplitterTests {
    func split(_ text: String, chunk: Int, max: Int = 1 << 20) -> [String] {
        var splitter = LineSplitter(maxLineBytes: max)
        var lines: [String] = []
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { raw in
            var start = 0
            while start < raw.count {
                let end = min(raw.count, start + chunk)
                splitter.feed(UnsafeRawBufferPointer(rebasing: raw[start..<end])) { line in
                    lines.append(line.oversized ? "<oversized>" : String(decoding: line.bytes, as: UTF8.self))
                }
                start = end
            }
        }
        splitter.finish { line in lines.append(line.oversized ? "<oversized>" : String(decoding: line.bytes, as: UTF8.self)) }
        return lines
    }

    @Test func splitsOnNewlinesAcrossAnyChunking() {
        let text = "alpha\nbeta\r\n\ngamma-is-a-longer-line-than-eight\nlast"
        for chunk in 1...20 {
            #expect(split(text, chunk: chunk) == ["alpha", "beta", "", "gamma-is-a-longer-line-than-eight", "last"], "chunk \(chunk)")
        }
    }

    @Test func oversizedLinesAreSkippedNotBuffered() {
        let text = "short\n" + String(repeating: "x", count: 100) + "\nafter\n"
        for chunk in [3, 7, 1000] {
            #expect(split(text, chunk: chunk, max: 50) == ["short", "<oversized>", "after"], "chunk \(chunk)")
        }
    }

    @Test func newlineSearchMatchesNaiveSearch() {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<500 {
            let bytes = (0..<Int(rng.next() % 40)).map { _ in rng.next() % 5 == 0 ? UInt8(0x0A) : UInt8(0x41 + rng.next() % 20) }
            bytes.withUnsafeBytes { raw in
                for from in 0...bytes.count {
                    #expect(LineSplitter.indexOfNewline(raw, from: from) == bytes[from...].firstIndex(of: 0x0A))
                }
            }
        }
    }
}

@Suite("Resume checkpoints")
struct ResumeCheckpointTests {
    /// Generated heartbeats with late deliveries, so the checkpoint holds open windows, closed ones within the
    /// retention and revision counters.
    static let input: [UInt8] = {
        var generator = HeartbeatGenerator(.init(users: 40, movies: 5, duration: 300, lateFraction: 0.1, maxDelay: 40, seed: 9))
        var bytes: [UInt8] = []
        while let second = generator.nextSecond() {
            for heartbeat in second { HeartbeatGenerator.writeLine(heartbeat, into: &bytes) }
        }
        return bytes
    }()

    static let configuration = ResumeConfiguration(lateness: .seconds(10), late: .emit, retention: .seconds(120))

    @Test(arguments: [1, 997, 20_000, 41_234])
    func aRestoredStreamContinuesExactlyLikeAnUninterruptedOne(cut: Int) throws {
        let cut = min(cut, Self.input.count - 1)
        var whole = ResumeStream(configuration: Self.configuration)
        var expected = ResultBuffer()
        try Self.input.withUnsafeBytes { try whole.feed($0, output: &expected) }
        try whole.finish(output: &expected)

        var first = ResumeStream(configuration: Self.configuration)
        var output = ResultBuffer()
        try Self.input[..<cut].withUnsafeBytes { try first.feed($0, output: &output) }
        // The caller resumes the input where the last complete line ends (the Kafka offset, or the file position).
        let resumeAt = Self.input[..<cut].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        var second = try ResumeStream(configuration: Self.configuration, checkpoint: first.checkpoint())
        // Restored state holds only complete lines; the pending partial line is fed again from its start.
        try Array(Self.input[resumeAt...]).withUnsafeBytes { try second.feed($0, output: &output) }
        try second.finish(output: &output)
        #expect(String(decoding: output.text, as: UTF8.self) == String(decoding: expected.text, as: UTF8.self))
        #expect(second.processor.statistics == whole.processor.statistics)
        #expect(second.lines == whole.lines)
        #expect(second.bytesRead == whole.bytesRead)
        #expect(expected.text.count > 10_000)
    }

    @Test func otherOptionsOrDamagedBytesAreRefused() throws {
        var stream = ResumeStream(configuration: Self.configuration)
        var output = ResultBuffer()
        try Self.input.prefix(5_000).withUnsafeBytes { try stream.feed($0, output: &output) }
        let bytes = stream.checkpoint()
        #expect(throws: ByteReader.Failure.self) {
            _ = try ResumeStream(configuration: ResumeConfiguration(lateness: .seconds(30)), checkpoint: bytes)
        }
        #expect(throws: ByteReader.Failure.self) {
            _ = try ResumeStream(configuration: Self.configuration, checkpoint: Array(bytes.dropLast(3)))
        }
    }
}
