/// Answers to the playback query endpoints, computed from one user's states, so that every store hands over
/// the same rows and gets the same answers.
public enum PlaybackQueries {
    /// One title in a user's watch-time answer.
    public struct TitleWatchTime: Hashable, Sendable {
        /// The title's content id.
        public var content: String
        /// The user's watch time of it.
        public var watchMilliseconds: Int64
    }

    /// Total and per-title watch time, titles by watch time (largest first), then id.
    public static func watchTime(_ titles: [(content: String, state: PlaybackState)]) -> (total: Int64, titles: [TitleWatchTime]) {
        var rows = titles.map { TitleWatchTime(content: $0.content, watchMilliseconds: $0.state.watchMilliseconds) }
        rows.sort { ($0.watchMilliseconds, $1.content) > ($1.watchMilliseconds, $0.content) }
        // In 128 bits: one title's watch time may already be Int64.max.
        let total = rows.reduce(Int128(0)) { $0 + Int128($1.watchMilliseconds) }
        return (Int64(clamping: total), rows)
    }

    /// Titles by most recent activity, unfinished ones first (the "continue watching" row).
    public static func continueWatching(
        _ titles: [(content: String, state: PlaybackState)], rules: PlaybackRules, limit: Int
    ) -> [(content: String, state: PlaybackState)] {
        let sorted = titles.sorted { a, b in
            let finishedA = a.state.isFinished(rules)
            let finishedB = b.state.isFinished(rules)
            if finishedA != finishedB { return !finishedA }
            if a.state.lastSeenAt != b.state.lastSeenAt { return a.state.lastSeenAt > b.state.lastSeenAt }
            return a.content < b.content
        }
        return Array(sorted.prefix(limit))
    }
}
