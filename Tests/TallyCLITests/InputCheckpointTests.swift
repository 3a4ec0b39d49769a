import Foundation
import TallyCore
import Testing

/// `resume` and `count --merge` share the file loop and its checkpoints with `count` (whose own checkpoint tests
/// are in CountCommandTests).
@Suite("checkpoints over files, every command", .offCooperativePool)
struct InputCheckpointTests {
    static func heartbeats(_ directory: TemporaryDirectory, users: Int, seconds: Int, seed: Int) throws -> String {
        let path = directory.path + "/hb-\(seed).ndjson"
        let generated = try TallyBinary.run([
            "generate", "heartbeats", "--users", "\(users)", "--duration", "\(seconds)", "--late-fraction", "0.05",
            "--seed", "\(seed)", "-o", path,
        ])
        #expect(generated.status == 0, "\(generated.stderr)")
        return path
    }

    /// Killed in the middle of its inputs, a `tally resume` restarted with the same checkpoint emits every array the
    /// whole run does (a re-emitted array is the same line again), and nothing else.
    @Test func killedResumeContinuesWhereItStopped() throws {
        let dir = TemporaryDirectory()
        let inputs = [
            try Self.heartbeats(dir, users: 800, seconds: 1_200, seed: 1),
            try Self.heartbeats(dir, users: 800, seconds: 1_200, seed: 2),
        ]
        let arguments = ["resume"] + inputs + ["--late", "emit"]
        let reference = try TallyBinary.run(arguments)
        #expect(reference.status == 0, "\(reference.stderr)")
        let checkpoint = dir.path + "/resume.checkpoint"
        let (combined, second) = try killOnceAndRestart(
            arguments + ["--checkpoint", checkpoint, "--checkpoint-interval", "20ms"], checkpoint: checkpoint, directory: dir)
        #expect(second.stderr.contains("resume: resuming from \(checkpoint)"), "\(second.stderr)")
        let expected = Set(reference.stdout.split(separator: "\n"))
        #expect(expected.count > 10_000)
        #expect(Set(combined.split(separator: "\n")) == expected)

        let again = try TallyBinary.run(arguments + ["--checkpoint", checkpoint])
        #expect(again.status == 0)
        #expect(again.stdout.isEmpty)
        #expect(again.stderr.contains("fully processed; nothing to do"), "\(again.stderr)")
    }

    /// The state inside a checkpoint names its command: another command's is refused, not misread.
    @Test func aCheckpointOfAnotherCommandIsRefused() throws {
        let dir = TemporaryDirectory()
        let input = dir.path + "/frames.jsonl"
        #expect(try TallyBinary.run(["generate", "frames", "-c", "100", "-o", input]).status == 0)
        let checkpoint = dir.path + "/ck"
        let counted = try TallyBinary.run(["count", input, "--checkpoint", checkpoint])
        #expect(FileManager.default.fileExists(atPath: checkpoint), "\(counted.stderr)")
        // Mark it unfinished, as a killed run leaves it, by rewriting the flag byte before the state.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
        let countState = BinaryFormat.countState.rawValue
        let state = try #require(bytes.range(of: Data(countState.utf8))).lowerBound
        bytes[state - 5] = 0
        try bytes.write(to: URL(fileURLWithPath: checkpoint))
        let resumed = try TallyBinary.run(["resume", input, "--checkpoint", checkpoint])
        #expect(resumed.status != 0)
        #expect(
            resumed.stderr.contains("expected a tally resume state (TRS3) but found a tally count state (\(countState))"),
            "\(resumed.stderr)")
    }

    /// The merge of shard files takes a checkpoint too; a finished one makes a rerun do nothing.
    @Test func mergeOverFilesCheckpoints() throws {
        let dir = TemporaryDirectory()
        let frames = dir.path + "/frames.jsonl"
        #expect(
            try TallyBinary.run(["generate", "frames", "-c", "4000", "-r", "20", "-n", "500", "-d", "5", "-s", "4", "-o", frames])
                .status == 0)
        let shard = dir.path + "/shard.jsonl"
        #expect(try TallyBinary.run(["count", frames, "--shard", "a", "-o", shard]).status == 0)
        let plain = try TallyBinary.run(["count", "--merge", shard])
        let checkpoint = dir.path + "/merge.ck"
        let checkpointed = try TallyBinary.run(["count", "--merge", shard, "--checkpoint", checkpoint])
        #expect(checkpointed.status == 0, "\(checkpointed.stderr)")
        #expect(!plain.stdout.isEmpty)
        #expect(checkpointed.stdout == plain.stdout)
        let again = try TallyBinary.run(["count", "--merge", shard, "--checkpoint", checkpoint])
        #expect(again.stdout.isEmpty)
        #expect(again.stderr.contains("merge: checkpoint \(checkpoint) says these inputs were fully processed"), "\(again.stderr)")
    }

    /// A file whose last line has no newline ends that line: the next file's first line is a line of its own.
    @Test func aFileWithoutAFinalNewlineEndsItsLastLine() throws {
        let dir = TemporaryDirectory()
        let first = dir.path + "/a.ndjson"
        let second = dir.path + "/b.ndjson"
        try #"{"userId":"u","movieId":"m","duration":100,"position":5,"timestamp":"2021-10-26T13:27:30Z"}"#
            .write(toFile: first, atomically: true, encoding: .utf8)
        try #"{"userId":"v","movieId":"m","duration":100,"position":6,"timestamp":"2021-10-26T13:27:31Z"}"#
            .write(toFile: second, atomically: true, encoding: .utf8)
        let result = try TallyBinary.run(["resume", first, second])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("lines=2 events=2 invalid=0"), "\(result.stderr)")
    }
}
