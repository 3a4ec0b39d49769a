import ArgumentParser
import Foundation
import TallyCore
import TallyIO

/// `tally generate`: deterministic synthetic inputs for tests, benchmarks and demos.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write synthetic event streams to stdout, or feed a running server a live mix of every event kind.",
        subcommands: [GenerateHeartbeatsCommand.self, GenerateFramesCommand.self, GenerateFeedCommand.self]
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
        var generator = HeartbeatGenerator(
            .init(
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

struct GenerateFramesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frames",
        abstract: "~2 KB JSON log frames like the unique-counting brief's generator (nested decoys, escapes, UTF-8).",
        discussion: """
            Same knobs as the brief's generator: -c count, -r rate, -n users, -d max delay, -p delay percent, -s seed. \
            The frames have its shape: sizes, the nested values before uid and ts (both read after 19% of a frame's \
            bytes on average), escapes and Cyrillic text (a test compares them with its own output).
            """
    )

    @Option(name: [.customShort("c"), .long], help: "Number of frames.") var count = 1000
    @Option(name: [.customShort("r"), .long], help: "Time rises by 1 s with probability 1/rate per frame.") var rate = 1000
    @Option(name: [.customShort("n"), .long], help: "Number of distinct users.") var users = 100_000
    @Option(name: [.customShort("d"), .long], help: "Largest delay (s) of a delayed frame.") var delay = 0
    @Option(name: [.customShort("p"), .long], help: "Percent of frames delayed.") var delayPercent = 0.0
    @Option(name: [.customShort("s"), .long], help: "Random seed.") var seed: UInt64 = 1
    @Option(name: .shortAndLong, help: "Output file; '-' is stdout.") var output = "-"
    @Option(help: "Every Nth frame writes ts as a string, which the brief warns of (its generator never does); 0 never.")
    var stringTimeEvery = 0

    func validate() throws {
        guard stringTimeEvery >= 0 else { throw ValidationError("--string-time-every must not be negative") }
        guard count >= 0, rate >= 1, users >= 1 else {
            throw ValidationError("--count must not be negative; --rate and --users must be positive")
        }
        guard (0...100).contains(delayPercent), delay >= 0 else {
            throw ValidationError("--delay-percent must be 0...100 and --delay not negative")
        }
        guard delayPercent == 0 || delay > 0 else { throw ValidationError("--delay-percent needs --delay") }
    }

    func run() throws {
        var generator = FrameGenerator(
            .init(
                count: count, rate: rate, users: users, maxDelay: delay,
                delayProbability: delayPercent / 100, seed: seed, stringTimeEvery: stringTimeEvery))
        let sink = try OutputSink(path: output)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 17)
        while generator.next(into: &buffer) {
            if buffer.count >= 1 << 16 {
                try sink.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try sink.write(buffer)
        try sink.flush()
    }
}
