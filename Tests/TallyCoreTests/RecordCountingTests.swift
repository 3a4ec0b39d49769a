import Testing

@testable import TallyCore

/// Counting Tally frame records gives what counting the NDJSON they were converted from gives.
@Suite("Counting frame records")
struct RecordCountingTests {
    /// Generated frames with late ones, plus lines that are not countable frames.
    static let ndjson: [UInt8] = {
        var generator = FrameGenerator(.init(count: 6_000, rate: 20, users: 500, maxDelay: 30, delayProbability: 0.1, seed: 5))
        var bytes: [UInt8] = []
        while generator.next(into: &bytes) {}
        bytes += Array("not json\n\n{\"uid\":\"a\\u00e9\",\"ts\":1468244500}\n{\"ts\":1}\n".utf8)
        return bytes
    }()

    static func convert(_ payload: RecordConversion.Payload) -> (records: [UInt8], conversion: RecordConversion) {
        var conversion = RecordConversion(payload: payload)
        var records: [UInt8] = []
        Self.ndjson.withUnsafeBytes { conversion.feed($0, output: &records) }
        conversion.finish(output: &records)
        return (records, conversion)
    }

    static func countNDJSON() -> (text: String, stream: CountStream) {
        var stream = CountStream(configuration: CountConfiguration(exact: true))
        var output = ResultBuffer()
        Self.ndjson.withUnsafeBytes { stream.feed($0, output: &output) }
        stream.finish(output: &output)
        return (String(decoding: output.text, as: UTF8.self), stream)
    }

    static func countRecords(_ records: [UInt8], chunk: Int) throws -> (text: String, stream: CountStream) {
        var stream = CountStream(configuration: CountConfiguration(exact: true), format: .tfr)
        var output = ResultBuffer()
        try records.withUnsafeBytes { raw in
            var start = 0
            while start < raw.count {
                let end = min(raw.count, start + chunk)
                try stream.feed(records: UnsafeRawBufferPointer(rebasing: raw[start..<end]), output: &output)
                start = end
            }
        }
        try stream.finishRecords(output: &output)
        return (String(decoding: output.text, as: UTF8.self), stream)
    }

    @Test(arguments: [RecordConversion.Payload.keep, .drop])
    func recordsCountLikeTheirFrames(payload: RecordConversion.Payload) throws {
        let (records, conversion) = Self.convert(payload)
        let frames = Self.countNDJSON()
        #expect(conversion.converted == frames.stream.statistics.counted)
        #expect(conversion.skipped == 3)
        #expect(conversion.firstProblems.map(\.line) == [6_001, 6_004])
        for chunk in [1, 37, 4096, 1 << 22] {
            let counted = try Self.countRecords(records, chunk: chunk)
            #expect(counted.text == frames.text)
            #expect(counted.stream.statistics.counted == frames.stream.statistics.counted)
            #expect(counted.stream.statistics.lines == conversion.converted)
        }
        if payload == .drop { #expect(records.count < conversion.converted * 40) }
    }

    /// A Kafka message is one record without its length; one that is not a record costs only itself.
    @Test func recordsAsMessagesCountTheSame() throws {
        var stream = CountStream(configuration: CountConfiguration(exact: true), format: .tfr)
        var output = ResultBuffer()
        var splitter = FrameRecordSplitter()
        var bodies: [[UInt8]] = []
        try Self.convert(.drop).records.withUnsafeBytes { raw in
            try splitter.feed(raw) { record in
                var body: [UInt8] = []
                FrameRecords.appendBody(user: record.user, timeMs: record.timeMs, payload: record.payload, to: &body)
                bodies.append(body)
            }
        }
        bodies.insert([1, 2, 3], at: 100)
        for (offset, body) in bodies.enumerated() {
            body.withUnsafeBytes { stream.feed(recordBody: $0, partition: 0, offset: Int64(offset), output: &output) }
        }
        stream.finish(output: &output)
        #expect(String(decoding: output.text, as: UTF8.self) == Self.countNDJSON().text)
        #expect(stream.statistics.malformed == 1)
        #expect(stream.firstProblems.first?.message.contains("not a Tally frame record") == true)
    }

    /// Times an NDJSON frame could not carry (before 1970, or beyond 18 digits of milliseconds, up to Int64.max) are
    /// invalid records: they cost only themselves. The latest valid time, from one user alone, is an outlier the
    /// event clock rejects, as it would be in NDJSON.
    @Test func recordsWithImpossibleTimesCostOnlyThemselves() throws {
        var bytes = Array(BinaryFormat.frameRecords.rawValue.utf8)
        for (user, time) in [
            ("a", Int64.max), ("b", -1), ("c", FrameRecords.maxTimeMs + 1), ("d", 1_468_244_384_000), ("e", FrameRecords.maxTimeMs),
        ] {
            FrameRecords.append(user: user.utf8, timeMs: time, payload: [UInt8](), to: &bytes)
        }
        let counted = try Self.countRecords(bytes, chunk: 7)
        #expect(counted.stream.statistics.invalidFields == 3)
        #expect(counted.stream.statistics.counted == 1)
        #expect(counted.stream.statistics.rejectedOutliers == 1)
        #expect(counted.text.contains(#""start":"2016-07-11T13:39:00Z""#))
    }

    /// A checkpoint names its input format: a records count resumes exactly, and refuses to go on as NDJSON.
    @Test func checkpointsOfRecordsResumeAndNameTheirFormat() throws {
        let records = Self.convert(.keep).records
        let whole = try Self.countRecords(records, chunk: 1 << 20).text
        var first = CountStream(configuration: CountConfiguration(exact: true), format: .tfr)
        var output = ResultBuffer()
        let cut = records.count / 3
        try records.withUnsafeBytes { try first.feed(records: UnsafeRawBufferPointer(rebasing: $0[..<cut]), output: &output) }
        let resumeAt = first.processedBytes
        let saved = first.checkpoint()
        var second = try CountStream(configuration: CountConfiguration(exact: true), checkpoint: saved, format: .tfr)
        try records.withUnsafeBytes { try second.feed(records: UnsafeRawBufferPointer(rebasing: $0[resumeAt...]), output: &output) }
        try second.finishRecords(output: &output)
        #expect(String(decoding: output.text, as: UTF8.self) == whole)
        #expect(throws: ByteReader.Failure.self) { try CountStream(configuration: CountConfiguration(exact: true), checkpoint: saved) }
    }

    /// A state written before states named their format (TCK3, always NDJSON) still loads.
    @Test func aStateOfTheFormerVersionLoadsAsNDJSON() throws {
        var stream = CountStream(configuration: CountConfiguration(exact: true))
        var output = ResultBuffer()
        Self.ndjson.withUnsafeBytes { stream.feed(UnsafeRawBufferPointer(rebasing: $0[..<50_000]), output: &output) }
        let current = stream.checkpoint()
        // TCK4 is TCK3 with the format's name (u32 length + "ndjson") after the magic.
        let former = Array("TCK3".utf8) + current[(4 + 4 + 6)...]
        let restored = try CountStream(configuration: CountConfiguration(exact: true), checkpoint: former)
        #expect(restored.statistics == stream.statistics)
        #expect(restored.processedBytes == stream.processedBytes)
    }
}
