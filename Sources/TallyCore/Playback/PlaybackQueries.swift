/// Answers to the playback query endpoints, computed from a `PlaybackIndex`.
extension PlaybackIndex {
    /// One title in a user's watch-time answer.
    public struct TitleWatchTime: Hashable, Sendable {
        public var content: String
        public var watchMilliseconds: Int64
    }

    /// Total and per-title watch time of one user, titles by watch time (largest first), then id.
    public func watchTime(user: String) -> (total: Int64, titles: [TitleWatchTime])? {
        guard let titles = self.titles(user: user) else { return nil }
        var rows: [TitleWatchTime] = []
        rows.reserveCapacity(titles.count)
        var total: Int64 = 0
        for content in titles {
            let watched = states[PlaybackKey(user: user, content: content)]?.watchMilliseconds ?? 0
            total += watched
            rows.append(TitleWatchTime(content: content, watchMilliseconds: watched))
        }
        rows.sort { ($0.watchMilliseconds, $1.content) > ($1.watchMilliseconds, $0.content) }
        return (total, rows)
    }

    /// The user's titles by most recent activity, unfinished ones first (the "continue watching" row).
    public func continueWatching(user: String, rules: PlaybackRules, limit: Int) -> [(String, PlaybackState)]? {
        guard let titles = self.titles(user: user) else { return nil }
        let rows = titles.compactMap { content in
            states[PlaybackKey(user: user, content: content)].map { (content, $0) }
        }
        let sorted = rows.sorted { a, b in
            let finishedA = a.1.isFinished(rules), finishedB = b.1.isFinished(rules)
            if finishedA != finishedB { return !finishedA }
            if a.1.lastSeenAt != b.1.lastSeenAt { return a.1.lastSeenAt > b.1.lastSeenAt }
            return a.0 < b.0
        }
        return Array(sorted.prefix(limit))
    }

}
