import Foundation

/// Runs a command for a test's set-up (mounting a small file system, stopping a database), returning its exit status
/// and combined output.
public enum Shell {
    /// Spawns with posix_spawn, not Foundation's `Process`: `Process` learns of the exit through a socket the child
    /// inherits, so when the command leaves a daemon behind (`pg_ctl start`) the daemon holds that socket and the
    /// exit is never seen. The wait runs on a thread of its own, not one of the two cooperative threads of a 2-core
    /// machine that the server under test needs.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("tally-shell-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
        let child = pid
        let status: Int32 = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var raw: Int32 = 0
                while waitpid(child, &raw, 0) == -1 && errno == EINTR {}
                // WIFEXITED / WEXITSTATUS, which Swift does not import from glibc's macros.
                continuation.resume(returning: raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f))
            }
        }
        let output = (try? Data(contentsOf: URL(fileURLWithPath: log))) ?? Data()
        return (status, String(decoding: output, as: UTF8.self))
    }

    /// The repository's root, for its `scripts/`.
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
}
