import TallyCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a file or stdin in large blocks, transparently gunzipping, and reports idleness so a stream processor can
/// advance its watermark when a live source stops sending.
package final class InputReader {
    package let name: String
    private let fd: Int32
    private let ownsDescriptor: Bool
    private var buffer: [UInt8]
    private var inflater: GzipInflater?
    private var sniffed: Bool

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    /// `path` nil or `-` reads stdin. With `decompress` false, gzip data is returned as it is.
    package init(path: String?, blockSize: Int = 1 << 20, decompress: Bool = true) throws {
        sniffed = !decompress
        if let path, path != "-" {
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
            self.fd = fd
            self.name = path
            ownsDescriptor = true
        } else {
            fd = 0
            name = "stdin"
            ownsDescriptor = false
        }
        buffer = [UInt8](repeating: 0, count: blockSize)
    }

    deinit { if ownsDescriptor { close(fd) } }

    /// Calls `body` with decompressed chunks until end of input. When `idleTimeout` is set and no byte arrives for
    /// that long, calls `onIdle` (repeatedly, once per timeout) and keeps waiting.
    package func forEachChunk(
        idleTimeout: Duration? = nil,
        onIdle: () throws -> Void = {},
        _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        while true {
            if let idleTimeout, !waitForData(timeout: idleTimeout) {
                try onIdle()
                continue
            }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw Failure(description: "reading \(name) failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            try buffer.withUnsafeBytes { raw in
                let chunk = UnsafeRawBufferPointer(rebasing: raw[..<count])
                if !sniffed {
                    sniffed = true
                    if GzipInflater.isGzip(chunk) { inflater = try GzipInflater() }
                }
                if let inflater { try inflater.inflate(chunk, body) } else { try body(chunk) }
            }
        }
        try inflater?.finish()
    }

    /// Pull-style reading for pipelines that cannot run inside a callback: the next decompressed bytes, or nil at
    /// end of input. Blocks until data arrives.
    package func readChunk() throws -> [UInt8]? {
        var out: [UInt8] = []
        return try readChunk(appendingTo: &out) ? out : nil
    }

    /// Appends the next decompressed bytes to `out` (no intermediate copy); false at end of input.
    package func readChunk(appendingTo out: inout [UInt8]) throws -> Bool {
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw Failure(description: "reading \(name) failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 {
                try inflater?.finish()
                return false
            }
            let before = out.count
            try buffer.withUnsafeBytes { raw in
                let chunk = UnsafeRawBufferPointer(rebasing: raw[..<count])
                if !sniffed {
                    sniffed = true
                    if GzipInflater.isGzip(chunk) { inflater = try GzipInflater() }
                }
                if let inflater { try inflater.inflate(chunk) { out.append(contentsOf: $0) } } else { out.append(contentsOf: chunk) }
            }
            if out.count > before { return true }
        }
    }

    /// Polls the descriptor; false when nothing arrived within `timeout`. Regular files are always ready.
    private func waitForData(timeout: Duration) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ms = Int32(clamping: timeout.milliseconds)
        while true {
            let ready = poll(&descriptor, 1, ms)
            if ready < 0 && errno == EINTR { continue }
            return ready != 0
        }
    }
}
