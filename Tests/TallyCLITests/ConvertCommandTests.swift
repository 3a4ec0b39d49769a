import Foundation
import Testing

/// `tally convert` and `tally count --format tfr`: converted frames count exactly like the NDJSON they came from.
@Suite("tally convert and --format tfr", .offCooperativePool)
struct ConvertCommandTests {
    static func frames(_ directory: TemporaryDirectory, extra: String = "") throws -> String {
        let file = directory.path + "/frames.jsonl"
        #expect(
            try TallyBinary.run([
                "generate", "frames", "-c", "3000", "-r", "50", "-n", "400", "-d", "20", "-p", "10", "-s", "9", "-o", file,
            ]).status == 0)
        if !extra.isEmpty {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
            handle.seekToEndOfFile()
            handle.write(Data(extra.utf8))
            try handle.close()
        }
        return file
    }

    @Test(arguments: ["keep", "drop"])
    func convertedFramesCountTheSameFromFilesGzipAndStdin(payload: String) throws {
        let dir = TemporaryDirectory()
        let file = try Self.frames(dir, extra: "not json\n")
        let records = dir.path + "/frames.tfr"
        let converted = try TallyBinary.run(["convert", "--to", "tfr", "--payload", payload, file, "-o", records])
        #expect(converted.status == 0, "\(converted.stderr)")
        #expect(converted.stderr.contains("convert summary lines=3001 records=3000 skipped=1"), "\(converted.stderr)")
        #expect(converted.stderr.contains("convert: line 3001"))
        let expected = try TallyBinary.run(["count", file, "--exact"])
        let fromFile = try TallyBinary.run(["count", "--format", "tfr", records, "--exact"])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(fromFile.stdout == expected.stdout)
        #expect(fromFile.stderr.contains("lines=3000 counted=3000"), "\(fromFile.stderr)")
        let fromStdin = try TallyBinary.run(
            ["count", "--format", "tfr", "--exact"], input: try Data(contentsOf: URL(fileURLWithPath: records)))
        #expect(fromStdin.stdout == expected.stdout)
        // Two files of records are one stream, each opening with its magic.
        let twice = try TallyBinary.run(["count", "--format", "tfr", records, records, "--exact"])
        let twiceNDJSON = try TallyBinary.run(["count", file, file, "--exact"])
        #expect(twice.stdout == twiceNDJSON.stdout)
        if payload == "drop" {
            let size = try FileManager.default.attributesOfItem(atPath: records)[.size] as! Int
            #expect(size < 3000 * 40)
        }
    }

    /// What is not records, or records cut short, is an error naming the byte; JSON options do not apply to records.
    @Test func wrongOrDamagedInputIsAClearError() throws {
        let dir = TemporaryDirectory()
        let file = try Self.frames(dir)
        let ndjson = try TallyBinary.run(["count", "--format", "tfr", file])
        #expect(ndjson.status != 0)
        #expect(
            ndjson.stderr.contains("byte 0: expected Tally frame records (TFR1) but found bytes of no format Tally knows"),
            "\(ndjson.stderr)")
        let records = dir.path + "/frames.tfr"
        #expect(try TallyBinary.run(["convert", "--to", "tfr", file, "-o", records]).status == 0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: records))
        bytes.removeLast(5)
        try bytes.write(to: URL(fileURLWithPath: records))
        let cut = try TallyBinary.run(["count", "--format", "tfr", records])
        #expect(cut.status != 0)
        #expect(cut.stderr.contains("the input ends inside a record (5 bytes missing)"), "\(cut.stderr)")
        for flag in [["--validate"], ["--threads", "2"], ["--user-field", "u"]] {
            let refused = try TallyBinary.run(["count", "--format", "tfr", records] + flag)
            #expect(refused.status == 64)
            #expect(refused.stderr.contains("--format tfr reads records, not JSON; drop \(flag[0])"), "\(refused.stderr)")
        }
        let back = try TallyBinary.run(["convert", "--to", "ndjson", file])
        #expect(back.status == 64)
    }
}
