import Testing

@testable import TallyCore

@Suite("Live feed")
struct LiveFeedTests {
    private func run(_ configuration: LiveFeed.Configuration, seconds: Int) -> [LiveFeed.Tick] {
        var feed = LiveFeed(configuration)
        return (0..<(seconds * 4)).map { feed.tick(nowMs: 1_700_000_000_000 + Int64($0) * 250, seconds: 0.25) }
    }

    @Test func itKeepsTheRateAndTheMix() {
        let ticks = run(LiveFeed.Configuration(rate: 200), seconds: 30)
        let total = ticks.reduce(0) { $0 + $1.events }
        #expect((5_990...6_000).contains(total), "\(total)")
        let heartbeats = ticks.reduce(0) { $0 + $1.heartbeats.count }
        #expect((4_490...4_500).contains(heartbeats))
        #expect(ticks.reduce(0) { $0 + $1.ads.count } >= 890)
        #expect(ticks.reduce(0) { $0 + $1.watches.count } >= 290)
        #expect(ticks.reduce(0) { $0 + $1.sessionEntries } >= 290)
    }

    @Test func theSameSeedGivesTheSameEvents() {
        let first = run(LiveFeed.Configuration(seed: 7), seconds: 5).flatMap(\.heartbeats)
        let second = run(LiveFeed.Configuration(seed: 7), seconds: 5).flatMap(\.heartbeats)
        let other = run(LiveFeed.Configuration(seed: 8), seconds: 5).flatMap(\.heartbeats)
        #expect(first == second)
        #expect(first != other)
    }

    @Test func everyEventIsOneTheServerAccepts() throws {
        let ticks = run(LiveFeed.Configuration(rate: 1_000, lateFraction: 0.2), seconds: 20)
        for heartbeat in ticks.flatMap(\.heartbeats) {
            #expect(heartbeat.position >= 0 && heartbeat.position <= heartbeat.duration)
            #expect(heartbeat.duration >= 1 && heartbeat.duration <= 1_000_000_000)
        }
        #expect(ticks.flatMap(\.heartbeats).contains { $0.timestamp.millisecondsSinceEpoch < 1_700_000_000_000 })
        // Each session opens with SESSION_START and sends nothing after SESSION_END.
        var state: [String: String] = [:]
        for message in ticks.flatMap(\.sessions) {
            let body = String(decoding: message.body, as: UTF8.self)
            let previous = state[message.id]
            if body.contains("SESSION_START") {
                #expect(previous == nil, "\(message.id) started twice")
                #expect(body.contains("\"session_id\":\"\(message.id)\""))
                state[message.id] = "open"
            } else {
                #expect(previous == "open", "\(message.id): \(body) outside an open session")
                if body.contains("SESSION_END") { state[message.id] = "ended" }
            }
        }
        #expect(state.values.contains("ended"))
        #expect(state.values.contains("open"))
    }
}
