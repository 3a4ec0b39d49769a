import Synchronization
import TallyCore

/// The shared, in-memory playback read model. Query handlers read it concurrently; only the writer changes it,
/// and only with states that are already committed, so a reader never sees an event that could still be lost.
public final class PlaybackView: Sendable {
    private let index: Mutex<PlaybackIndex>
    public let rules: PlaybackRules

    public init(rules: PlaybackRules, states: [PlaybackKey: PlaybackState] = [:]) {
        var index = PlaybackIndex()
        index.install(states)
        self.index = Mutex(index)
        self.rules = rules
    }

    /// Runs `body` with a consistent snapshot of the index. Keep it short: the writer waits for it.
    public func read<T: Sendable>(_ body: (borrowing PlaybackIndex) -> T) -> T {
        index.withLock { body($0) }
    }

    /// Runs the processor over `events` against the current states, without changing them (the writer's
    /// planning step; only the writer mutates the index, so the plan cannot go stale before it is installed).
    func plan(_ events: [ReceivedEvent], with processor: PlaybackProcessor) -> [PlaybackKey: PlaybackState] {
        index.withLock { index in processor.plan(events) { index.state($0) } }
    }

    /// Publishes committed states.
    func install(_ changes: [PlaybackKey: PlaybackState]) {
        index.withLock { $0.install(changes) }
    }
}
