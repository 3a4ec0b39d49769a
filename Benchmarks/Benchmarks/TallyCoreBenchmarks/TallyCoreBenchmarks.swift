import Benchmark
import Foundation
import TallyCore

/// Generated heartbeats (10,000 viewers, 10 minutes of event time, 1% late), made once and kept in memory so the
/// benchmarks measure Tally, not I/O.
let heartbeatInput: [UInt8] = {
    var generator = HeartbeatGenerator(.init(users: 10_000, movies: 500, duration: 600, lateFraction: 0.01, seed: 1))
    var bytes: [UInt8] = []
    while let second = generator.nextSecond() {
        for heartbeat in second { HeartbeatGenerator.writeLine(heartbeat, into: &bytes) }
    }
    return bytes
}()
let heartbeatCount = 600_000

/// 200,000 log frames (~2 KB each, ~415 MB): the brief generator's own when `TALLY_FRAMES` names an NDJSON file of
/// them (the shared sample, unpacked: `zcat ../shared/data/frames-brief-50k.jsonl.gz > /tmp/brief-50k.jsonl`),
/// repeated to 200,000 frames; else `tally generate frames` with the brief's sample parameters, which have the same
/// shape (GeneratorFidelityTests).
let frameInput: [UInt8] = {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(200_000 * 2100)
    if let path = ProcessInfo.processInfo.environment["TALLY_FRAMES"], let file = FileManager.default.contents(atPath: path) {
        let lines = file.split(separator: 0x0A)
        for index in 0..<200_000 {
            bytes.append(contentsOf: lines[index % lines.count])
            bytes.append(0x0A)
        }
        return bytes
    }
    var generator = FrameGenerator(.init(count: 200_000, rate: 1000, users: 100_000, seed: 1))
    while generator.next(into: &bytes) {}
    return bytes
}()
let frameCount = 200_000

/// Feeds `frameInput` to `body` in 1 MiB chunks.
func feedFrames(_ body: (UnsafeRawBufferPointer) -> Void) {
    frameInput.withUnsafeBytes { raw in
        var start = 0
        while start < raw.count {
            let end = min(raw.count, start + (1 << 20))
            body(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
            start = end
        }
    }
}

/// Each frame of `frameInput` as a producer holds it before writing: the user id, the time, and the frame's JSON text.
let producedFrames: [(user: [UInt8], timeMs: Int64, json: [UInt8])] = {
    var frames: [(user: [UInt8], timeMs: Int64, json: [UInt8])] = []
    let scanner = FrameScanner()
    var scratch = FrameScanner.Scratch()
    var splitter = LineSplitter()
    feedFrames { chunk in
        splitter.feed(chunk) { line in
            if case .frame(let user, let time) = scanner.scan(line.bytes, scratch: &scratch) {
                frames.append((user.with(line: line.bytes, unescaped: scratch.user) { Array($0) }, time, Array(line.bytes)))
            }
        }
    }
    return frames
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .milliseconds,
        maxDuration: .seconds(10),
        maxIterations: 20
    )

    // Parse + validate + window + format: what `tally resume` does per line, minus file I/O.
    // Throughput is reported per iteration; events/s = 600,000 × iterations/s.
    Benchmark("resume: 600k heartbeats, parse + 1-minute windows + output") { benchmark in
        for _ in benchmark.scaledIterations {
            var stream = ResumeStream(configuration: ResumeConfiguration())
            var output = ResultBuffer()
            output.reserveCapacity(1 << 24)
            try heartbeatInput.withUnsafeBytes { raw in
                var start = 0
                while start < raw.count {
                    let end = min(raw.count, start + (1 << 20))
                    try stream.feed(UnsafeRawBufferPointer(rebasing: raw[start..<end]), output: &output)
                    start = end
                }
            }
            try stream.finish(output: &output)
            precondition(stream.processor.statistics.events == heartbeatCount)
            blackHole(output)
        }
    }

    // The frame scanner alone (line split + find uid/ts + hash): the parser's share of `tally count`.
    Benchmark("count: 200k frames, scan only (split + find fields + hash)") { benchmark in
        let scanner = FrameScanner()
        for _ in benchmark.scaledIterations {
            var splitter = LineSplitter()
            var scratch = FrameScanner.Scratch()
            var found = 0
            var checksum: UInt64 = 0
            feedFrames { chunk in
                splitter.feed(chunk) { line in
                    if case .frame(let user, let time) = scanner.scan(line.bytes, scratch: &scratch) {
                        found += 1
                        checksum &+= user.with(line: line.bytes, unescaped: scratch.user) { XXHash64.hash($0) } &+ UInt64(time)
                    }
                }
            }
            precondition(found == frameCount)
            blackHole(checksum)
        }
    }

    // What a producer pays to write each format, given a frame it holds: NDJSON is its JSON and a newline; a record
    // adds a 14-byte header (and the id) to it, or carries the id and time alone.
    // One output buffer reused across iterations, as a producer's socket or file buffer is: the figures are the
    // writing, not the page faults of a new buffer.
    Benchmark("produce: 200k frames as NDJSON lines") { benchmark in
        var out: [UInt8] = []
        out.reserveCapacity(frameInput.count + 40 * frameCount)
        for _ in benchmark.scaledIterations {
            out.removeAll(keepingCapacity: true)
            for frame in producedFrames {
                out.append(contentsOf: frame.json)
                out.append(0x0A)
            }
            blackHole(out)
        }
    }
    Benchmark("produce: 200k frames as records, payload kept") { benchmark in
        var out: [UInt8] = []
        out.reserveCapacity(frameInput.count + 40 * frameCount)
        for _ in benchmark.scaledIterations {
            out.removeAll(keepingCapacity: true)
            for frame in producedFrames { FrameRecords.append(user: frame.user, timeMs: frame.timeMs, payload: frame.json, to: &out) }
            blackHole(out)
        }
    }
    Benchmark("produce: 200k frames as records, payload dropped") { benchmark in
        var out: [UInt8] = []
        out.reserveCapacity(40 * frameCount)
        for _ in benchmark.scaledIterations {
            out.removeAll(keepingCapacity: true)
            for frame in producedFrames { FrameRecords.append(user: frame.user, timeMs: frame.timeMs, payload: [UInt8](), to: &out) }
            blackHole(out)
        }
    }

    // The whole counting path of `tally count` (HyperLogLog, all six units), minus file I/O.
    Benchmark("count: 200k frames, scan + HyperLogLog, all windows") { benchmark in
        for _ in benchmark.scaledIterations {
            var stream = CountStream(configuration: CountConfiguration())
            var output = ResultBuffer()
            feedFrames { stream.feed($0, output: &output) }
            stream.finish(output: &output)
            precondition(stream.statistics.counted == frameCount)
            blackHole(output)
        }
    }

    // `--validate`: every byte of every frame checked.
    Benchmark("count: 200k frames, --validate scan") { benchmark in
        let scanner = FrameScanner(validate: true)
        for _ in benchmark.scaledIterations {
            var splitter = LineSplitter()
            var scratch = FrameScanner.Scratch()
            var found = 0
            feedFrames { chunk in
                splitter.feed(chunk) { line in
                    if case .frame = scanner.scan(line.bytes, scratch: &scratch) { found += 1 }
                }
            }
            precondition(found == frameCount)
        }
    }

    // The validator alone on every line: the figure to hold against simdjson parsing the same frames
    // (Benchmarks/simdjson/parse-lines.cpp, docs/performance.md).
    Benchmark("count: 200k frames, JSONValidator alone (split + accepts)") { benchmark in
        for _ in benchmark.scaledIterations {
            var splitter = LineSplitter()
            var validator = JSONValidator()
            var accepted = 0
            feedFrames { chunk in
                splitter.feed(chunk) { line in
                    if validator.accepts(line.bytes) { accepted += 1 }
                }
            }
            precondition(accepted == frameCount)
        }
    }

    // Parse + validate only: the decoder's share of the cost.
    Benchmark("decode: 600k heartbeats, parse + validate") { benchmark in
        let decoder = HeartbeatDecoder()
        for _ in benchmark.scaledIterations {
            var splitter = LineSplitter()
            var decoded = 0
            heartbeatInput.withUnsafeBytes { raw in
                splitter.feed(raw) { line in
                    var reader = JSONReader(line.bytes)
                    if case .success = try? decoder.decode(&reader) { decoded += 1 }
                }
            }
            precondition(decoded == heartbeatCount)
            blackHole(decoded)
        }
    }
}
