import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import TallyCore
import TallyIO

/// `tally generate feed`: a running server gets a realistic, living mix of every event kind, so that a new user
/// sees every dashboard panel move one command after starting the server.
struct GenerateFeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feed",
        abstract: "Feed a running server a live mix of heartbeats, watch events, ad clicks and impressions, and sessions.",
        discussion: """
            Event times are the wall clock's (a few heartbeats arrive late, so resume windows get revised). Every \
            request must be accepted: the command exits non-zero, naming the statuses, if any was refused. \
            Progress on stderr; Ctrl-C stops with a summary.
            """
    )

    @Option(help: "The server's base URL.") var url = "http://127.0.0.1:8000"
    @Option(help: "Events per second over all kinds.") var rate = 200
    @Option(help: "Seconds to run; 0 runs until interrupted.") var duration = 60
    @Option(help: "Distinct viewers.") var users = 300
    @Option(help: "Distinct titles.") var movies = 40
    @Option(help: "Share of heartbeats sent 15-40 s late, 0...1.") var lateFraction = 0.03
    @Option(help: "Random seed (session ids include it, so two feeds with different seeds never share a session).")
    var seed: UInt64 = 1
    @Option(help: "An ingest API key for a server with --auth required (default: $TALLY_API_KEY).") var key: String?

    func validate() throws {
        guard (1...100_000).contains(rate) else { throw ValidationError("--rate must be 1 to 100000 events per second") }
        guard duration >= 0, (1...1_000_000).contains(users), (1...1_000_000).contains(movies) else {
            throw ValidationError("--duration must not be negative; --users and --movies 1 to 1000000")
        }
        guard (0...1).contains(lateFraction) else { throw ValidationError("--late-fraction must be between 0 and 1") }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
            throw ValidationError("--url must be an http(s) URL such as http://127.0.0.1:8000, got \(url)")
        }
    }

    func run() async throws {
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        let sender = FeedSender(base: base, key: key ?? ProcessInfo.processInfo.environment["TALLY_API_KEY"])
        try await sender.checkServer()
        let feed = FeedService(
            sender: sender, feed: LiveFeed(.init(rate: rate, users: users, movies: movies, lateFraction: lateFraction, seed: seed)),
            duration: duration)
        let logger = Logger(label: "tally.generate-feed")
        try await ServiceGroup(
            configuration: .init(
                services: [.init(service: feed, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        ).run()
        let failures = sender.failureFields
        if !failures.isEmpty {
            throw CLIError("the server refused some requests (\(failures.map { "\($0.0)=\($0.1)" }.joined(separator: " ")))")
        }
    }
}

/// The feed's loop: a tick every 250 ms until its duration is over or SIGINT/SIGTERM asks it to stop, then the
/// summary.
struct FeedService: Service {
    let sender: FeedSender
    let feed: LiveFeed
    let duration: Int

    func run() async throws {
        var feed = feed
        let progress = ProgressReporter(command: "generate feed")
        let clock = ContinuousClock()
        let started = clock.now
        var next = started
        var events = 0
        while !Task.isShuttingDownGracefully, !Task.isCancelled, duration == 0 || clock.now - started < .seconds(duration) {
            next += .milliseconds(250)
            let batch = feed.tick(nowMs: Timestamp.wallClockNow.millisecondsSinceEpoch, seconds: 0.25)
            await sender.send(batch)
            events += batch.events
            progress.tick {
                [("events", "\(events)"), ("events/s", "\(Int(Double(events) / max(progress.elapsedSeconds, 0.001)))")]
                    + sender.failureFields
            }
            if next > clock.now { try? await Task.sleep(until: next, clock: clock) }
        }
        progress.summary(
            [("events", "\(events)"), ("seconds", String(format3: progress.elapsedSeconds))] + sender.sentFields + sender.failureFields)
    }
}
