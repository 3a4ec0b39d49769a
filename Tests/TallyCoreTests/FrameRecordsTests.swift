import Testing

@testable import TallyCore

/// Tally frame records: written, then read back through every way of cutting the stream into chunks.
@Suite("Frame records")
struct FrameRecordsTests {
    static let records: [(user: String, timeMs: Int64, payload: String)] = [
        ("62a4c731b0630387913", 1_468_244_384_000, #"{"uid":"62a4c731b0630387913","ts":1468244384}"#),
        ("é\"\\", -5, ""),
        (String(repeating: "u", count: 300), .max, String(repeating: "p", count: 5_000)),
        ("x", 0, "{}"),
    ]

    static func stream() -> [UInt8] {
        var bytes = Array(BinaryFormat.frameRecords.rawValue.utf8)
        for record in records {
            FrameRecords.append(user: record.user.utf8, timeMs: record.timeMs, payload: record.payload.utf8, to: &bytes)
        }
        return bytes
    }

    /// Feeds `bytes` in chunks of the given sizes (cycled) and returns what came out.
    static func read(_ bytes: [UInt8], chunks: [Int]) throws -> [(String, Int64, String, Int)] {
        var splitter = FrameRecordSplitter()
        var out: [(String, Int64, String, Int)] = []
        try bytes.withUnsafeBytes { raw in
            var start = 0
            var k = 0
            while start < raw.count {
                let end = min(raw.count, start + chunks[k % chunks.count])
                try splitter.feed(UnsafeRawBufferPointer(rebasing: raw[start..<end])) { record in
                    out.append(
                        (
                            String(decoding: record.user, as: UTF8.self), record.timeMs, String(decoding: record.payload, as: UTF8.self),
                            record.number
                        ))
                }
                start = end
                k += 1
            }
        }
        try splitter.finish()
        #expect(splitter.recordCount == out.count && splitter.pendingBytes == 0 && splitter.bytesSeen == bytes.count)
        return out
    }

    @Test(arguments: [[1], [2], [3], [5], [7], [13], [64], [4096], [1, 9, 2, 300], [1 << 20]])
    func everyChunkingReadsTheSameRecords(chunks: [Int]) throws {
        let out = try Self.read(Self.stream(), chunks: chunks)
        #expect(out.count == Self.records.count)
        for (index, (record, read)) in zip(Self.records, out).enumerated() {
            #expect(read.0 == record.user && read.1 == record.timeMs && read.2 == record.payload && read.3 == index + 1)
        }
    }

    /// Files joined with `cat` are one stream: the second magic is passed over wherever the chunks cut it.
    @Test(arguments: [1, 3, 4, 7, 1 << 20])
    func concatenatedStreamsReadAsOne(chunk: Int) throws {
        let out = try Self.read(Self.stream() + Self.stream(), chunks: [chunk])
        #expect(out.map(\.0) == (Self.records + Self.records).map(\.user))
        #expect(out.last?.3 == 2 * Self.records.count)
    }

    /// After `expectMagic` (the next input file), the magic must come first.
    @Test func anotherFileMustOpenWithTheMagic() throws {
        var splitter = FrameRecordSplitter()
        var count = 0
        try Self.stream().withUnsafeBytes { raw in try splitter.feed(raw) { _ in count += 1 } }
        try splitter.finish()
        splitter.expectMagic()
        var body: [UInt8] = []
        FrameRecords.append(user: "u".utf8, timeMs: 1, payload: [UInt8](), to: &body)
        #expect(throws: FrameRecordSplitter.Failure.self) {
            try body.withUnsafeBytes { raw in try splitter.feed(raw) { _ in count += 1 } }
        }
        #expect(count == Self.records.count)
    }

    @Test func aKafkaMessageIsOneRecordWithoutItsLength() throws {
        var body: [UInt8] = []
        FrameRecords.appendBody(user: "u1".utf8, timeMs: 42, payload: [UInt8](), to: &body)
        let record = try body.withUnsafeBytes { raw throws(FrameRecords.Problem) in try FrameRecords.read(body: raw, number: 1) }
        #expect(record.timeMs == 42 && String(decoding: record.user, as: UTF8.self) == "u1" && record.payload.isEmpty)
    }

    /// Damage is an error of the stream, at the byte where it was found: another format, a length out of bounds, a
    /// user id that does not fit, or an end inside a record.
    @Test func damagedStreamsNameTheByte() {
        func failure(_ bytes: [UInt8], chunk: Int = 1 << 20) -> String? {
            do {
                _ = try Self.read(bytes, chunks: [chunk])
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(
            failure(Array("THL1xxxx".utf8))?.contains("byte 0: expected Tally frame records (TFR1) but found a HyperLogLog sketch") == true)
        #expect(failure(Array(#"{"uid":1}"#.utf8), chunk: 2)?.contains("byte 0: expected Tally frame records") == true)
        var tooLong = Array("TFR1".utf8)
        tooLong += [0xFF, 0xFF, 0xFF, 0x7F]
        #expect(failure(tooLong, chunk: 3)?.contains("byte 4: record length 2147483647") == true)
        var badUser = Array("TFR1".utf8)
        badUser += [10, 0, 0, 0] + [UInt8](repeating: 0, count: 8) + [9, 0]
        #expect(failure(badUser)?.contains("byte 4: user id length 9") == true)
        let whole = Self.stream()
        #expect(failure(Array(whole.dropLast(3)), chunk: 5)?.contains("3 bytes missing") == true)
        #expect(failure(Array("TF".utf8)) != nil)
        #expect(failure([]) == nil)
    }
}
