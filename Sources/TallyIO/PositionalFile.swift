#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A plain (uncompressed) file read with `pread`, so several threads can read different parts of it at once.
package final class PositionalFile: @unchecked Sendable {
    // Safe to share: the descriptor is only used with pread, which has no shared file position.
    private let fd: Int32
    package let path: String
    package let size: Int

    /// Opens `path`; nil when it is gzip-compressed (a gzip stream cannot be split), not a regular file, or empty.
    package init?(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw InputReader.Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0 else {
            close(fd)
            return nil
        }
        var magic: [UInt8] = [0, 0]
        let read = magic.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 2, 0) }
        guard read < 2 || !(magic[0] == 0x1F && magic[1] == 0x8B) else {
            close(fd)
            return nil
        }
        self.fd = fd
        self.path = path
        self.size = Int(info.st_size)
    }

    deinit { close(fd) }

    /// Appends up to `count` bytes from `offset` to `out`; returns how many were read (0 at end of file).
    package func read(at offset: Int, count: Int, appendingTo out: inout [UInt8]) throws -> Int {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: count))
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + start + done, count - done, off_t(offset + done)) }
            if n < 0 {
                if errno == EINTR { continue }
                out.removeSubrange(start...)
                throw InputReader.Failure(description: "reading \(path) failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            done += n
        }
        out.removeSubrange((start + done)...)
        return done
    }

    /// The offset just after the first newline at or after `offset` (or the file size when there is none).
    package func lineStart(after offset: Int) throws -> Int {
        var position = offset
        var probe: [UInt8] = []
        while position < size {
            probe.removeAll(keepingCapacity: true)
            let n = try read(at: position, count: 64 * 1024, appendingTo: &probe)
            if n == 0 { break }
            if let newline = probe.firstIndex(of: 0x0A) { return position + newline + 1 }
            position += n
        }
        return size
    }
}
