import Foundation
import Synchronization
@_exported import TallyTestSupport
import Testing

/// Locates the `tally` executable that `swift test` builds next to the test bundle.
enum TallyBinary {
    static var url: URL? {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("tally")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `tally` with `arguments`, feeding `input` on stdin, and waits for it.
    static func run(_ arguments: [String], input: Data = Data(), environment: [String: String] = [:]) throws -> Result {
        guard let url else { throw MissingBinary() }
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let writer = Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errData = ReadAll(stderr.fileHandleForReading)
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: errData.wait(), as: UTF8.self))
    }

    struct MissingBinary: Error, CustomStringConvertible {
        var description: String { "tally binary not found next to the test bundle; run through `swift test`" }
    }
}

/// Drains a pipe on a background thread so a chatty child cannot block on a full stderr pipe.
final class ReadAll: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }.start()
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}

/// Runs `tally ARGUMENTS` (which must save `checkpoint`), kills it with SIGKILL once it has checkpointed and before
/// it is done, runs it again to completion, and returns both runs' stdout concatenated, and the second run.
func killOnceAndRestart(_ arguments: [String], checkpoint: String, directory: TemporaryDirectory) throws -> (
    combined: String, second: TallyBinary.Result
) {
    guard let binary = TallyBinary.url else { throw TallyBinary.MissingBinary() }
    let firstOutput = directory.path + "/first.out"
    _ = FileManager.default.createFile(atPath: firstOutput, contents: nil)
    let first = Process()
    first.executableURL = binary
    first.arguments = arguments
    first.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: firstOutput))
    first.standardError = FileHandle.nullDevice
    try first.run()
    let deadline = Date().addingTimeInterval(60)
    while !FileManager.default.fileExists(atPath: checkpoint), Date() < deadline { usleep(20_000) }
    usleep(300_000)
    kill(first.processIdentifier, SIGKILL)
    first.waitUntilExit()
    #expect(first.terminationReason == .uncaughtSignal, "the first run finished before it could be killed")
    let second = try TallyBinary.run(arguments)
    #expect(second.status == 0, "\(second.stderr)")
    return ((try String(contentsOfFile: firstOutput, encoding: .utf8)) + second.stdout, second)
}

/// Collects a child's output as it arrives, so a test can wait for a line before it sends more input instead of
/// guessing how long the child takes.
final class LineCollector: Sendable {
    private let received = Mutex(Data())
    private let finished = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { self.drain(handle) }.start()
    }

    private func drain(_ handle: FileHandle) {
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            received.withLock { $0.append(chunk) }
        }
        finished.signal()
    }

    /// The complete lines received so far.
    var lines: [Substring] {
        let text = received.withLock { String(decoding: $0, as: UTF8.self) }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()  // the part after the last newline is not a whole line yet
        return lines.filter { !$0.isEmpty }
    }

    /// Waits until a complete line satisfies `predicate`; false after `timeout`.
    func waitForLine(timeout: Duration = .seconds(60), _ predicate: (Substring) -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if lines.contains(where: predicate) { return true }
            usleep(10_000)
        }
        return false
    }

    /// Every line, once the child closed its end.
    func wait() -> [Substring] {
        finished.wait()
        finished.signal()
        return lines
    }
}
