#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Buffered writes to stdout or a file with `write(2)`: no Foundation, no per-line system call.
package final class OutputSink {
    package let name: String
    private let fd: Int32
    private let ownsDescriptor: Bool
    private var pending: [UInt8] = []
    private let flushThreshold: Int
    package private(set) var bytesWritten = 0

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    /// `path` nil or `-` writes stdout. Files are created or truncated.
    package init(path: String?, flushThreshold: Int = 1 << 16) throws {
        if let path, path != "-" {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
            self.fd = fd
            name = path
            ownsDescriptor = true
        } else {
            fd = 1
            name = "stdout"
            ownsDescriptor = false
        }
        self.flushThreshold = flushThreshold
        pending.reserveCapacity(flushThreshold * 2)
    }

    deinit {
        try? flush()
        if ownsDescriptor { close(fd) }
    }

    /// Appends bytes; writes when the buffer is large.
    package func write(_ bytes: [UInt8]) throws {
        pending.append(contentsOf: bytes)
        if pending.count >= flushThreshold { try flush() }
    }

    package func flush() throws {
        var offset = 0
        while offset < pending.count {
            let written = pending.withUnsafeBytes { raw in
                Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                pending.removeAll()
                throw Failure(description: "writing \(name) failed: \(reason)")
            }
            offset += written
        }
        bytesWritten += pending.count
        pending.removeAll(keepingCapacity: true)
    }
}
