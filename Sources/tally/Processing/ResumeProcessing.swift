import TallyCore
import TallyIO

/// `tally resume`: heartbeats in, one resume array per user and window out, keyed by user id (one user's arrays
/// and their revisions stay in order).
struct ResumeProcessing: PartitionedProcessedStream {
    static let command = "resume"
    var stream: ResumeStream
    let maxRejected: Double?

    mutating func feed(_ chunk: UnsafeRawBufferPointer, clockMs: Int64, output: inout ResultBuffer) throws {
        try stream.feed(chunk, clockMs: clockMs, output: &output)
    }

    mutating func endOfFile(output: inout ResultBuffer) throws { try stream.endOfFile(output: &output) }
    var processedBytes: Int { stream.processedBytes }
    /// A window may close after `--idle-timeout` of silence: stdin is checked at least that often.
    var idleCheck: Duration { min(.seconds(1), stream.processor.configuration.idleTimeout) }

    mutating func consume(record: UnsafeRawBufferPointer, partition: Int, offset: Int64, clockMs: Int64, output: inout ResultBuffer) throws
    {
        try stream.feed(record: record, partition: partition, offset: offset, clockMs: clockMs, output: &output)
    }

    mutating func endOfBatch(clockMs: Int64, live: Bool, output: inout ResultBuffer) {}
    mutating func idle(clockMs: Int64, output: inout ResultBuffer) { stream.idle(clockMs: clockMs, output: &output) }
    mutating func finish(output: inout ResultBuffer) throws { try stream.finish(output: &output) }

    /// `--format pretty` puts each window's header on stderr, before its arrays.
    mutating func takeNotices() -> [String] {
        guard stream.format == .pretty else { return [] }
        return stream.takeEmittedWindows().map { "window \($0.start) .. \($0.end)\n" }
    }

    func checkpoint() -> [UInt8] { stream.checkpoint() }
    var records: Int { stream.lines }

    func progressFields(_ progress: ProgressReporter) -> [(String, String)] {
        let stats = stream.processor.statistics
        return [
            ("events", "\(stats.events)"),
            ("rate", ProgressReporter.compact(Double(stats.events) / max(progress.elapsedSeconds, 1e-9)) + "/s"),
            ("open_windows", "\(stream.processor.openWindows)"),
            ("late", "\(stats.late)"),
            ("held", "\(stream.processor.clock.heldEvents)"),
            ("invalid", "\(stream.invalidLines)"),
        ]
    }

    func report(_ progress: ProgressReporter) {
        for invalid in stream.firstInvalid {
            ProgressReporter.writeStderr("resume: line \(invalid.line): \(invalid.message)\n")
        }
        let stats = stream.processor.statistics
        let seconds = progress.elapsedSeconds
        progress.summary([
            ("lines", "\(stream.lines)"), ("events", "\(stats.events)"), ("invalid", "\(stream.invalidLines)"),
            ("late", "\(stats.late)"), ("late_revised", "\(stats.lateRevised)"), ("late_dropped", "\(stats.lateDropped)"),
            ("rejected_outlier", "\(stats.rejectedOutliers)"), ("handed_over", "\(stats.handedOver)"),
            ("windows", "\(stats.windowsClosed)"), ("arrays", "\(stats.outputs)"),
            ("seconds", String(format3: seconds)),
            ("events_per_second", "\(Int(Double(stats.events) / max(seconds, 1e-9)))"),
        ])
    }

    /// Rejected lines: invalid ones and heartbeats never corroborated (late ones are the --late policy's business).
    func checkOutcome() throws {
        let stats = stream.processor.statistics
        let blank = stream.lines - stats.events - stream.invalidLines
        try RunOutcome(
            lines: stream.lines - blank, counted: stats.events - stats.rejectedOutliers - stats.handedOver,
            rejected: stream.invalidLines + stats.rejectedOutliers
        ).check(maxRejected: maxRejected, command: "resume", noun: "heartbeat")
    }

    func stopped(by error: any Error) -> (any Error)? {
        guard let error = error as? ResumeStream.StrictModeError else { return nil }
        return CLIError("line \(error.invalid.line): \(error.invalid.message) (--strict)")
    }
}
