import TallyCore

extension PlaybackState {
    /// A state from the values of a `playback_state` row (`StoredTables.playbackState` after the key), the one
    /// mapping both engines use: a missing duration is NULL in either.
    package init(
        storedPosition position: Int64, latestMs: Int64, lastSeenMs: Int64, maxPosition: Int64, duration: Int64?,
        watchMs: Int64, events: Int64
    ) {
        self.init(
            position: position, latestAt: Timestamp(millisecondsSinceEpoch: latestMs),
            lastSeenAt: Timestamp(millisecondsSinceEpoch: lastSeenMs), maxPosition: maxPosition, duration: duration,
            watchMilliseconds: watchMs, events: events)
    }
}
