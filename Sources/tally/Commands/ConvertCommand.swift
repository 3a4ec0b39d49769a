import ArgumentParser
import TallyCore
import TallyIO

/// `tally convert`: NDJSON frames to Tally frame records, the binary format `tally count --format tfr` reads.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert NDJSON log frames to Tally frame records (tfr), which tally count --format tfr reads without parsing.",
        discussion: """
            Each frame tally count would count becomes one record: the user id and the time (ms) in fixed places, then \
            the frame's JSON (--payload keep) or nothing (--payload drop). Frames it would not count are left out and \
            named on stderr, so counting the records gives the frames' results. Files may be plain or gzip; stdin when \
            none or '-'. docs/performance.md compares the formats.
            """
    )

    @Argument(help: "Input files (plain or gzip); stdin when none or '-'.")
    var files: [String] = []

    @Option(help: "The format to write: tfr (Tally frame records).")
    var to: FrameFormat

    @Option(help: "keep (each record carries its frame's JSON) or drop (the two fields only).")
    var payload: RecordConversion.Payload = .keep

    @Option(help: CountSettings.userField.help)
    var userField: String?

    @Option(help: CountSettings.timeField.help)
    var timeField: String?

    @Option(name: .shortAndLong, help: "Output file; '-' is stdout.")
    var output: String = "-"

    func run() throws {
        guard to == .tfr else { throw ValidationError("--to \(to.rawValue): the input is NDJSON already; tally convert writes tfr") }
        var conversion = RecordConversion(
            userField: try CountSettings.userField.resolve(userField), timeField: try CountSettings.timeField.resolve(timeField),
            payload: payload)
        let sink = try OutputSink(path: output)
        let progress = ProgressReporter(command: "convert")
        var buffer: [UInt8] = []
        for path in files.isEmpty ? ["-"] : files {
            try InputReader(path: path).forEachChunk { chunk in
                conversion.feed(chunk, output: &buffer)
                try sink.write(buffer)
                buffer.removeAll(keepingCapacity: true)
                progress.tick {
                    [
                        ("frames", "\(conversion.converted)"),
                        ("rate", ProgressReporter.compact(Double(conversion.lines) / max(progress.elapsedSeconds, 1e-9)) + "/s"),
                    ]
                }
            }
        }
        conversion.finish(output: &buffer)
        try sink.write(buffer)
        try sink.flush()
        for problem in conversion.firstProblems {
            ProgressReporter.writeStderr("convert: line \(problem.line), byte \(problem.offset): \(problem.message)\n")
        }
        progress.summary([
            ("lines", "\(conversion.lines)"), ("records", "\(conversion.converted)"), ("skipped", "\(conversion.skipped)"),
            ("seconds", String(format3: progress.elapsedSeconds)),
        ])
        try RunOutcome(lines: conversion.lines, counted: conversion.converted, rejected: conversion.skipped)
            .check(maxRejected: nil, command: "convert", noun: "frame")
    }
}
