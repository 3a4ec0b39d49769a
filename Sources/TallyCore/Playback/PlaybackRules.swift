/// How watch events' `at` is read. The brief says both "aggregate the timestamps" and "the time the user spent
/// watching"; a deployment picks one with `--watch-at`.
public enum WatchAtMode: String, Sendable, CaseIterable {
    /// `at` is seconds watched since the previous event: watch time is the sum of `at`.
    case increment
    /// `at` is a playback position: watch time is the forward progress between consecutive events.
    case position
}

/// The knobs of the playback processor. Changing them changes answers, so they are part of a deployment's config.
public struct PlaybackRules: Hashable, Sendable {
    /// How watch events' `at` is read.
    public var watchAt: WatchAtMode
    /// Progress across a gap longer than this (between heartbeats' timestamps, or a position jump in
    /// `.position` mode) is not counted: the viewer paused, closed the app, or seeked.
    public var maxGapSeconds: Int64
    /// `maxPosition / duration` at or above this counts as finished for continue-watching.
    public var finishedRatio: Double

    /// The documented defaults (docs/api.md).
    public init(watchAt: WatchAtMode = .increment, maxGapSeconds: Int64 = 60, finishedRatio: Double = 0.95) {
        self.watchAt = watchAt
        self.maxGapSeconds = maxGapSeconds
        self.finishedRatio = finishedRatio
    }
}
