import TallyCore
import TallyIO

/// `tally count --threads N`: reads a file in blocks cut at line ends, scans N blocks at a time in parallel, and
/// hands the results to the (sequential) counter in input order, so the output equals a one-thread run.
struct ParallelCount {
    let threads: Int
    let scanner: FrameBlockScanner
    /// Bytes per block: large enough to amortize task overhead, small enough to keep all cores busy.
    var blockSize = 4 << 20

    func run(path: String, skip: Int, apply: ([FrameBlockScanner.Scanned]) throws -> Void) async throws {
        if let file = try PositionalFile(path: path) {
            return try await runSplit(file, skip: skip, apply: apply)
        }
        let reader = try InputReader(path: path)
        var current: [UInt8] = []
        current.reserveCapacity(blockSize + (1 << 21))
        var skip = skip
        var endOfInput = false
        while !endOfInput {
            var blocks: [[UInt8]] = []
            while blocks.count < threads {
                guard try reader.readChunk(appendingTo: &current) else {
                    endOfInput = true
                    break
                }
                if skip > 0 {
                    let dropped = min(skip, current.count)
                    current.removeFirst(dropped)
                    skip -= dropped
                }
                if current.count >= blockSize, let cut = current.lastIndex(of: 0x0A) {
                    // The block is `current` up to its last newline; only the unfinished line is copied.
                    var next: [UInt8] = []
                    next.reserveCapacity(blockSize + (1 << 21))
                    next.append(contentsOf: current[(cut + 1)...])
                    current.removeSubrange((cut + 1)...)
                    blocks.append(current)
                    current = next
                }
            }
            if endOfInput, !current.isEmpty {
                blocks.append(current)
                current = []
            }
            guard !blocks.isEmpty else { continue }
            let scanner = self.scanner
            let scanned = await withTaskGroup(of: (Int, FrameBlockScanner.Scanned).self) { group in
                for (index, block) in blocks.enumerated() {
                    group.addTask { (index, block.withUnsafeBytes { scanner.scan($0) }) }
                }
                var results = [FrameBlockScanner.Scanned?](repeating: nil, count: blocks.count)
                for await (index, result) in group { results[index] = result }
                return results.map { $0! }
            }
            try apply(scanned)
        }
    }

    /// Plain files: each round, the next `threads × 32 MiB` are split at line ends into one range per thread; every
    /// thread reads (pread) and scans its own range, so reading is parallel too; results are applied in file order.
    private func runSplit(_ file: PositionalFile, skip: Int, apply: ([FrameBlockScanner.Scanned]) throws -> Void) async throws {
        var position = skip
        let round = threads * (32 << 20)
        while position < file.size {
            let end = position + round >= file.size ? file.size : try file.lineStart(after: position + round)
            var bounds = [position]
            for k in 1..<threads {
                bounds.append(max(bounds[k - 1], min(end, try file.lineStart(after: position + (end - position) * k / threads))))
            }
            bounds.append(end)
            let scanner = self.scanner
            let blockSize = self.blockSize
            let results = try await withThrowingTaskGroup(of: (Int, [FrameBlockScanner.Scanned]).self) { group in
                for k in 0..<threads where bounds[k] < bounds[k + 1] {
                    let range = bounds[k]..<bounds[k + 1]
                    group.addTask { (k, try Self.scan(file, range: range, blockSize: blockSize, scanner: scanner)) }
                }
                var ordered = [[FrameBlockScanner.Scanned]](repeating: [], count: threads)
                for try await (k, scanned) in group { ordered[k] = scanned }
                return ordered.flatMap { $0 }
            }
            try apply(results)
            position = end
        }
    }

    /// Reads and scans one range (which ends at a line end) in blocks cut at line ends.
    private static func scan(_ file: PositionalFile, range: Range<Int>, blockSize: Int, scanner: FrameBlockScanner) throws
        -> [FrameBlockScanner.Scanned]
    {
        var results: [FrameBlockScanner.Scanned] = []
        var buffer: [UInt8] = []
        buffer.reserveCapacity(blockSize + (1 << 20))
        var offset = range.lowerBound
        while offset < range.upperBound {
            let n = try file.read(at: offset, count: min(blockSize, range.upperBound - offset), appendingTo: &buffer)
            if n == 0 { break }
            offset += n
            let cut = offset >= range.upperBound ? buffer.count - 1 : buffer.lastIndex(of: 0x0A)
            guard let cut else { continue }
            results.append(buffer.withUnsafeBytes { scanner.scan(UnsafeRawBufferPointer(rebasing: $0[...cut])) })
            buffer.removeSubrange(...cut)
        }
        if !buffer.isEmpty { results.append(buffer.withUnsafeBytes { scanner.scan($0) }) }
        return results
    }
}
