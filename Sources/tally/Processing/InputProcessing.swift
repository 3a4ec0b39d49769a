import ArgumentParser
import TallyCore
import TallyIO

/// The input loop over files and stdin: reads each input in turn, feeds the stream, writes its results, shows
/// progress, and with `--checkpoint` saves the state with its place in the inputs, so that a rerun with the same
/// file continues there.
///
/// Results are written before the checkpoint that includes them: a crash between the two re-emits results, never
/// loses one.
struct InputProcessing<Stream: ProcessedStream> {
    let inputs: [String]
    let output: String
    let checkpoint: String?
    let checkpointInterval: Duration

    func run(makeStream: ([UInt8]?) throws -> Stream) async throws {
        var stream = try makeStream(nil)
        var start = (index: 0, offset: 0)
        if let checkpoint {
            guard !inputs.contains("-") else { throw ValidationError("--checkpoint needs file inputs: stdin cannot be rewound to resume") }
            if let saved = try InputCheckpoint.load(from: checkpoint) {
                guard saved.inputs == inputs else {
                    throw ValidationError("checkpoint \(checkpoint) was made for other inputs: \(saved.inputs.joined(separator: " "))")
                }
                if saved.finished {
                    ProgressReporter.writeStderr(
                        "\(Stream.command): checkpoint \(checkpoint) says these inputs were fully processed; nothing to do\n")
                    return
                }
                do {
                    stream = try makeStream(saved.state)
                } catch {
                    throw CheckpointFile.unusable(checkpoint, error)
                }
                start = (saved.fileIndex, saved.fileOffset)
                ProgressReporter.writeStderr(
                    "\(Stream.command): resuming from \(checkpoint): input \(start.index + 1) of \(inputs.count) at byte \(start.offset)\n")
            }
        }
        let sink = try OutputSink(path: output)
        let progress = ProgressReporter(command: Stream.command)
        let clock = ContinuousClock()
        let origin = clock.now
        var lastCheckpoint = origin
        var buffer = ResultBuffer()
        func clockMs() -> Int64 { (clock.now - origin).milliseconds }

        func emit(_ stream: inout Stream, _ buffer: inout ResultBuffer, flush: Bool) throws {
            let notices = stream.takeNotices()
            if !notices.isEmpty {
                try sink.flush()
                for notice in notices { ProgressReporter.writeStderr(notice) }
            }
            if !buffer.isEmpty {
                try sink.write(buffer.text)
                buffer.removeAll()
            }
            if flush { try sink.flush() }
        }

        func save(_ stream: inout Stream, _ buffer: inout ResultBuffer, index: Int, offset: Int, finished: Bool) throws {
            guard let checkpoint else { return }
            try emit(&stream, &buffer, flush: true)
            try InputCheckpoint(inputs: inputs, fileIndex: index, fileOffset: offset, finished: finished, state: stream.checkpoint())
                .save(to: checkpoint)
            lastCheckpoint = clock.now
        }

        do {
            for (index, path) in inputs.enumerated() where index >= start.index {
                let live = path == "-"
                let skip = index == start.index ? start.offset : 0
                let fileStart = stream.processedBytes - skip
                func afterBatch(_ stream: inout Stream, _ buffer: inout ResultBuffer) throws {
                    stream.endOfBatch(clockMs: clockMs(), live: live, output: &buffer)
                    try emit(&stream, &buffer, flush: live)
                    progress.tick { stream.progressFields(progress) }
                    if checkpoint != nil, clock.now - lastCheckpoint >= checkpointInterval {
                        try save(&stream, &buffer, index: index, offset: stream.processedBytes - fileStart, finished: false)
                    }
                }
                if !live, try await stream.read(file: path, skip: skip, output: &buffer, afterBatch: afterBatch) { continue }
                var remaining = skip
                try InputReader(path: path).forEachChunk(idleTimeout: live ? stream.idleCheck : nil) {
                    stream.idle(clockMs: clockMs(), output: &buffer)
                    try emit(&stream, &buffer, flush: true)
                } _: { chunk in
                    var chunk = chunk
                    if remaining > 0 {
                        let dropped = min(remaining, chunk.count)
                        remaining -= dropped
                        chunk = UnsafeRawBufferPointer(rebasing: chunk[dropped...])
                    }
                    try stream.feed(chunk, clockMs: clockMs(), output: &buffer)
                    try afterBatch(&stream, &buffer)
                }
                try stream.endOfFile(output: &buffer)
            }
            try stream.finish(output: &buffer)
            try emit(&stream, &buffer, flush: true)
            try save(&stream, &buffer, index: inputs.count, offset: 0, finished: true)
        } catch {
            guard let stopped = stream.stopped(by: error) else { throw error }
            try? emit(&stream, &buffer, flush: true)
            stream.report(progress)
            throw stopped
        }
        stream.report(progress)
        try stream.checkOutcome()
    }
}
