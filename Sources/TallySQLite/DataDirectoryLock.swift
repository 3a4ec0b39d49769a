import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive hold on a data directory for as long as one store has it open.
///
/// Two servers on one SQLite file both keep their read model in memory and each would answer from its own half of
/// the writes. `flock` is released by the kernel when the holder dies (even by `kill -9`), so a crash never leaves a
/// stale lock behind; the file's text is only the holder's pid, for the message the second server prints.
final class DataDirectoryLock: Sendable {
    /// The open lock file, -1 once released.
    private let descriptor: Mutex<Int32>
    let path: String

    init(directory: String) throws {
        path = (directory as NSString).appendingPathComponent("tally.lock")
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LockError(message: "cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.holder(fd)
            close(fd)
            throw LockError(
                message:
                    "\(directory) is in use by another Tally process\(holder.map { " (pid \($0))" } ?? ""); stop it or choose another --data-dir"
            )
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        descriptor = Mutex(fd)
    }

    deinit { release() }

    private static func holder(_ fd: Int32) -> Int? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Releases the directory; idempotent (the kernel also releases it when the process ends).
    func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            _ = ftruncate(fd, 0)
            flock(fd, LOCK_UN)
            close(fd)
            fd = -1
        }
    }

    struct LockError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
