#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whole-file replace that a crash cannot tear: write a temporary file, fsync it, rename it over the target, fsync
/// the directory. A reader sees the old file or the new one, never a mix.
package enum AtomicFile {
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    package static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw Failure(description: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                throw Failure(description: "writing \(temporary) failed: \(reason)")
            }
            offset += written
        }
        guard fsync(fd) == 0 else {
            close(fd)
            throw Failure(description: "fsync of \(temporary) failed: \(String(cString: strerror(errno)))")
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            throw Failure(description: "renaming \(temporary) to \(path) failed: \(String(cString: strerror(errno)))")
        }
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let dirfd = open(directory.isEmpty ? "/" : directory, O_RDONLY)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
    }

    /// The file's bytes, or nil when it does not exist.
    package static func read(_ path: String) throws -> [UInt8]? {
        guard access(path, F_OK) == 0 else { return nil }
        var bytes: [UInt8] = []
        try InputReader(path: path, decompress: false).forEachChunk { bytes.append(contentsOf: $0) }
        return bytes
    }
}
