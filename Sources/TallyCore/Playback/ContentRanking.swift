/// Watch time, viewers and events per title over a range of event time, worked out from the heartbeats in the
/// range (read from the log in commit order) by the same processor the writer uses: a title's watch time in the
/// range is what the pairs of its viewers' heartbeats inside the range count, and its viewers are the distinct users
/// with a heartbeat in it. Exact, with no per-hour tables to keep; the cost is one pass over the range's heartbeats,
/// which the caller bounds.
public struct ContentRanking: Sendable {
    /// The event times counted: `[lowerBound, upperBound)`.
    public let range: Range<Timestamp>
    private let processor: PlaybackProcessor
    private var states: [PlaybackKey: PlaybackState] = [:]
    /// Heartbeats inside the range seen so far.
    public private(set) var heartbeats = 0

    /// An empty ranking of `range` under `rules` (the server's, so watch time means the same as everywhere else).
    public init(range: Range<Timestamp>, rules: PlaybackRules) {
        self.range = range
        self.processor = PlaybackProcessor(rules: rules)
    }

    /// Applies `batch` in order; heartbeats outside the range are skipped.
    public mutating func add(_ batch: some Sequence<Heartbeat>) {
        for heartbeat in batch where range.contains(heartbeat.timestamp) {
            let received = ReceivedEvent(.heartbeat(heartbeat), receivedAt: heartbeat.timestamp)
            states[received.key] = processor.apply(received, to: states[received.key])
            heartbeats += 1
        }
    }

    /// The `limit` titles with the most watch time (then the most viewers, then by id), with their totals.
    public func top(_ limit: Int) -> [(content: String, totals: ContentTotals)] {
        var totals: [String: ContentTotals] = [:]
        for (key, state) in states { totals[key.content, default: ContentTotals()].replace(old: nil, with: state) }
        return totals.sorted { a, b in
            if a.value.exactWatchMilliseconds != b.value.exactWatchMilliseconds {
                return a.value.exactWatchMilliseconds > b.value.exactWatchMilliseconds
            }
            if a.value.viewers != b.value.viewers { return a.value.viewers > b.value.viewers }
            return a.key < b.key
        }
        .prefix(max(0, limit)).map { ($0.key, $0.value) }
    }
}
