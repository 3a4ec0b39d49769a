import ArgumentParser
import Foundation
import TallyCore
import TallyIO

/// `tally generate`: deterministic synthetic inputs for tests, benchmarks and demos.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write synthetic event streams to stdout.",
        subcommands: [GenerateHeartbeatsCommand.self]
    )
}

struct GenerateHeartbeatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heartbeats",
        abstract: "NDJSON playback heartbeats: a 10 s cadence per viewer, with pauses, seeks, rewinds and movie switches.",
        discussion: "Output is in delivery order; the same --seed gives the same bytes."
    )

    @Option(help: "Number of viewers.") var users = 100
    @Option(help: "Number of movies.") var movies = 20
    @Option(help: "Seconds of event time to simulate.") var duration = 600
    @Option(help: "Wall-clock pacing in heartbeats per second (0: as fast as possible).") var rate = 0
    @Option(help: "Fraction of heartbeats delivered late (out of order), 0...1.") var lateFraction = 0.0
    @Option(help: "Largest delivery delay of a late heartbeat, in seconds.") var maxDelay = 30
    @Option(help: "First event time (ISO-8601).") var start = "2021-10-26T13:00:00Z"
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(name: .shortAndLong, help: "Output file; '-' is stdout.") var output = "-"

    func validate() throws {
        guard users > 0, movies > 0, duration > 0 else { throw ValidationError("--users, --movies and --duration must be positive") }
        guard (0...1).contains(lateFraction) else { throw ValidationError("--late-fraction must be between 0 and 1") }
        guard maxDelay >= 1, rate >= 0 else { throw ValidationError("--max-delay must be at least 1 and --rate not negative") }
    }

    func run() throws {
        let startTime: Timestamp
        do { startTime = try ISO8601.parse(start) } catch { throw ValidationError("--start: \(error)") }
        var generator = HeartbeatGenerator(.init(
            users: users, movies: movies, duration: duration, start: startTime, lateFraction: lateFraction,
            maxDelay: maxDelay, seed: seed))
        let sink = try OutputSink(path: output)
        let clock = ContinuousClock()
        let began = clock.now
        var written = 0
        var line: [UInt8] = []
        while let second = generator.nextSecond() {
            for heartbeat in second {
                line.removeAll(keepingCapacity: true)
                HeartbeatGenerator.writeLine(heartbeat, into: &line)
                try sink.write(line)
                written += 1
                if rate > 0, written % max(1, rate / 100) == 0 {
                    try sink.flush()
                    let due = began + .milliseconds(Int64(written) * 1000 / Int64(rate))
                    let remaining = due - clock.now
                    if remaining > .zero { Thread.sleep(forTimeInterval: Double(remaining.milliseconds) / 1000) }
                }
            }
        }
        try sink.flush()
    }
}
