import TallyCore
import TallyIO

/// `tally count`: frames in, window results out, keyed `window/start`.
struct CountProcessing: PartitionedProcessedStream {
    static let command = "count"
    var stream: CountStream
    /// `--emit updates=INTERVAL`: provisional results of open windows this often.
    let updates: Duration?
    let maxRejected: Double?
    /// `--threads N` over files: blocks scanned in parallel, applied in input order.
    let parallel: ParallelCount?
    var lastUpdateMs: Int64 = 0

    init(stream: CountStream, updates: Duration?, maxRejected: Double?, parallel: ParallelCount? = nil) {
        self.stream = stream
        self.updates = updates
        self.maxRejected = maxRejected
        self.parallel = parallel
    }

    mutating func feed(_ chunk: UnsafeRawBufferPointer, clockMs: Int64, output: inout ResultBuffer) throws {
        if stream.format == .tfr {
            try stream.feed(records: chunk, clockMs: clockMs, output: &output)
        } else {
            stream.feed(chunk, clockMs: clockMs, output: &output)
        }
    }

    mutating func endOfFile(output: inout ResultBuffer) throws {
        if stream.format == .tfr { try stream.endOfRecordFile() } else { stream.endOfFile(output: &output) }
    }
    var processedBytes: Int { stream.processedBytes }

    mutating func read(
        file path: String, skip: Int, output: inout ResultBuffer,
        afterBatch: (inout Self, inout ResultBuffer) throws -> Void
    ) async throws -> Bool {
        guard let parallel else { return false }
        try await parallel.run(path: path, skip: skip) { scanned in
            for block in scanned { stream.apply(block, output: &output) }
            try afterBatch(&self, &output)
        }
        return true
    }

    mutating func consume(record: UnsafeRawBufferPointer, partition: Int, offset: Int64, clockMs: Int64, output: inout ResultBuffer) {
        if stream.format == .tfr {
            stream.feed(recordBody: record, partition: partition, offset: offset, clockMs: clockMs, output: &output)
        } else {
            stream.feed(record: record, partition: partition, offset: offset, clockMs: clockMs, output: &output)
        }
    }

    mutating func endOfBatch(clockMs: Int64, live: Bool, output: inout ResultBuffer) {
        provisional(clockMs: clockMs, output: &output)
    }

    mutating func idle(clockMs: Int64, output: inout ResultBuffer) {
        stream.idle(clockMs: clockMs, output: &output)
        provisional(clockMs: clockMs, output: &output)
    }

    private mutating func provisional(clockMs: Int64, output: inout ResultBuffer) {
        guard let updates, clockMs - lastUpdateMs >= updates.milliseconds else { return }
        lastUpdateMs = clockMs
        stream.provisional(output: &output)
    }

    mutating func finish(output: inout ResultBuffer) throws {
        if stream.format == .tfr { try stream.finishRecords(output: &output) } else { stream.finish(output: &output) }
    }
    func checkpoint() -> [UInt8] { stream.checkpoint() }
    var records: Int { stream.statistics.lines }

    func progressFields(_ progress: ProgressReporter) -> [(String, String)] {
        let seconds = max(progress.elapsedSeconds, 1e-9)
        let statistics = stream.statistics
        return [
            ("frames", "\(statistics.lines)"),
            ("rate", ProgressReporter.compact(Double(statistics.lines) / seconds) + "/s"),
            ("MB/s", String(format1: Double(stream.bytesRead) / seconds / 1e6)),
            ("watermark", stream.counter.watermark.map { ISO8601.format($0, style: .zulu) } ?? "-"),
            ("open_windows", "\(stream.counter.openWindows)"),
            ("held", "\(stream.counter.clock.heldEvents)"),
        ]
    }

    func report(_ progress: ProgressReporter) {
        for problem in stream.firstProblems {
            ProgressReporter.writeStderr("count: line \(problem.line), byte \(problem.offset): \(problem.message)\n")
        }
        let s = stream.statistics
        let seconds = max(progress.elapsedSeconds, 1e-9)
        progress.summary([
            ("lines", "\(s.lines)"), ("counted", "\(s.counted)"), ("late", "\(s.late)"),
            ("rejected_too_old", "\(s.rejectedTooOld)"), ("rejected_outlier", "\(s.rejectedOutliers)"),
            ("handed_over", "\(s.handedOver)"),
            ("malformed", "\(s.malformed)"), ("missing_fields", "\(s.missingFields)"), ("invalid_fields", "\(s.invalidFields)"),
            ("blank", "\(s.blankLines)"), ("windows", "\(s.windowsClosed)"), ("revisions", "\(s.revisions)"),
            ("seconds", String(format3: seconds)), ("frames_per_second", "\(Int(Double(s.lines) / seconds))"),
            ("mb_per_second", String(format1: Double(stream.bytesRead) / seconds / 1e6)),
        ])
    }

    /// Rejected lines are everything but counted frames and blank lines.
    func checkOutcome() throws {
        let s = stream.statistics
        try RunOutcome(
            lines: s.lines - s.blankLines, counted: s.counted,
            rejected: s.lines - s.blankLines - s.counted - s.handedOver
        ).check(maxRejected: maxRejected, command: "count", noun: "frame")
    }
}
