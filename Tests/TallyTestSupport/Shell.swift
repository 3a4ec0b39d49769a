import Foundation

/// Runs a command for a test's set-up (mounting a small file system, stopping a database), returning its exit status
/// and combined output.
public enum Shell {
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // A file, not a pipe: a daemon the command starts (PostgreSQL) inherits the descriptor and would keep a
        // pipe open forever.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("tally-shell-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try? handle.close()
        let output = (try? Data(contentsOf: log)) ?? Data()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// The repository's root, for its `scripts/`.
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
}
