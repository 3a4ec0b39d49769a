import TallyCore
import TallyIO

/// `tally count --merge`: shard lines in, merged window results out, keyed `window/start` like a single processor's.
/// Live input (stdin, Kafka) gets one result per changed window and batch; files get theirs at the end.
struct MergeProcessing: ProcessedStream {
    static let command = "merge"
    var stream: MergeStream

    mutating func feed(_ chunk: UnsafeRawBufferPointer, clockMs: Int64, output: inout ResultBuffer) { stream.feed(chunk) }
    mutating func endOfFile(output: inout ResultBuffer) { stream.endOfFile() }
    var processedBytes: Int { stream.processedBytes }

    mutating func consume(record: UnsafeRawBufferPointer, partition: Int, offset: Int64, clockMs: Int64, output: inout ResultBuffer) {
        stream.feed(record: record)
    }

    mutating func endOfBatch(clockMs: Int64, live: Bool, output: inout ResultBuffer) {
        if live { stream.flush(output: &output) }
    }

    mutating func idle(clockMs: Int64, output: inout ResultBuffer) {}
    mutating func finish(output: inout ResultBuffer) { stream.finish(output: &output) }
    func checkpoint() -> [UInt8] { stream.checkpoint() }
    var records: Int { stream.lines }

    func progressFields(_ progress: ProgressReporter) -> [(String, String)] {
        let s = stream.merger.statistics
        return [
            ("lines", "\(s.lines)"),
            ("rate", ProgressReporter.compact(Double(s.lines) / max(progress.elapsedSeconds, 1e-9)) + "/s"),
            ("windows", "\(stream.merger.openWindows)"), ("invalid", "\(s.invalid)"),
        ]
    }

    func report(_ progress: ProgressReporter) {
        for problem in stream.merger.firstProblems {
            ProgressReporter.writeStderr("merge: line \(problem.line): \(problem.message)\n")
        }
        let s = stream.merger.statistics
        progress.summary([
            ("lines", "\(s.lines)"), ("contributions", "\(s.contributions)"), ("invalid", "\(s.invalid)"),
            ("blank", "\(s.blank)"), ("superseded", "\(s.superseded)"), ("rejected_too_old", "\(s.rejectedTooOld)"),
            ("results", "\(s.results)"), ("seconds", String(format3: progress.elapsedSeconds)),
        ])
    }
}
