import Benchmark
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
            var output: [UInt8] = []
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
