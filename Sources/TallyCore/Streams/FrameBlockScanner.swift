/// The parallel half of `tally count --threads`: scans a block of complete lines on any thread and returns what the
/// (sequential) counter needs, in input order. The counter then applies blocks in order, so the results are the same
/// as a single-threaded run.
public struct FrameBlockScanner: Sendable {
    /// One block's frames and accounting.
    public struct Scanned: Sendable {
        /// Each counted frame's user hash, in input order.
        public var hashes: [UInt64] = []
        /// Each counted frame's time in milliseconds, parallel to `hashes`.
        public var times: [Int64] = []
        /// The ids themselves, for `--exact` only (parallel to `hashes`).
        public var users: [String] = []
        /// Lines in the block.
        public var lines = 0
        /// Bytes in the block.
        public var bytes = 0
        /// Lines not counted, by reason.
        public var tally = LineTally()
        /// Problems with line numbers and offsets relative to the block.
        public var problems: [CountStream.Problem] = []
    }

    let scanner: FrameScanner
    let exact: Bool

    /// A scanner for frames with these field names; `exact` also keeps the ids themselves.
    public init(
        userField: String = FrameScanner.defaultUserField, timeField: String = FrameScanner.defaultTimeField, validate: Bool = false,
        exact: Bool
    ) {
        scanner = FrameScanner(userField: userField, timeField: timeField, validate: validate)
        self.exact = exact
    }

    /// Scans a block of complete lines; safe on any thread, since it touches no shared state.
    public func scan(_ block: UnsafeRawBufferPointer) -> Scanned {
        var result = Scanned()
        result.bytes = block.count
        result.hashes.reserveCapacity(block.count / 1024)
        result.times.reserveCapacity(block.count / 1024)
        var splitter = LineSplitter(maxLineBytes: 1 << 20)
        var scratch = FrameScanner.Scratch()
        let body = { (line: LineSplitter.Line) in
            result.lines += 1
            let classified = CountStream.classify(line, scanner: scanner, scratch: &scratch)
            switch classified {
            case .frame(let user, let timeMs):
                user.with(line: line.bytes, unescaped: scratch.user) { bytes in
                    result.hashes.append(XXHash64.hash(bytes))
                    result.times.append(timeMs)
                    if exact { result.users.append(String(decoding: bytes, as: UTF8.self)) }
                }
            case .blank: result.tally.blank += 1
            case .problem(let kind, let offset, let message):
                result.tally.record(kind)
                if result.problems.count < CountStream.reportedProblems {
                    result.problems.append(CountStream.Problem(line: line.number, offset: line.offset + offset, message: message))
                }
            }
        }
        splitter.feed(block, body)
        splitter.finish(body)
        return result
    }
}
