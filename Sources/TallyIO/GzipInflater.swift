import CZlib

/// Streaming gzip decompression over chunks, including files made of several concatenated gzip members
/// (`cat a.gz b.gz`), which `gunzip` also accepts.
package final class GzipInflater {
    private var stream = z_stream()
    private var output: [UInt8]
    private var finishedMember = false

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    package init(outputBufferSize: Int = 1 << 20) throws {
        output = [UInt8](repeating: 0, count: outputBufferSize)
        // 15 + 16: a gzip header and trailer, not raw zlib.
        let code = inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard code == Z_OK else { throw Failure(description: "zlib initialisation failed (\(code))") }
    }

    deinit { inflateEnd(&stream) }

    /// True when the input starts with the gzip magic number.
    package static func isGzip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Decompresses `input`, calling `body` with each block of output.
    package func inflate(_ input: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let base = input.baseAddress, input.count > 0 else { return }
        stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        while stream.avail_in > 0 {
            if finishedMember {
                inflateReset(&stream)
                finishedMember = false
            }
            let (code, produced) = output.withUnsafeMutableBytes { out -> (Int32, Int) in
                stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(out.count)
                let code = CZlib.inflate(&stream, Z_NO_FLUSH)
                return (code, out.count - Int(stream.avail_out))
            }
            if produced > 0 { try output.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[..<produced])) } }
            switch code {
            case Z_OK, Z_BUF_ERROR: continue
            case Z_STREAM_END: finishedMember = true
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "code \(code)"
                throw Failure(description: "gzip data is corrupt: \(message)")
            }
            if code == Z_BUF_ERROR && produced == 0 { break }
        }
    }

    /// Call at end of input: a member cut short is an error, not silently accepted.
    package func finish() throws {
        if !finishedMember && stream.total_in > 0 {
            throw Failure(description: "gzip data is truncated")
        }
    }
}
