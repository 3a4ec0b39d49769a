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
}
