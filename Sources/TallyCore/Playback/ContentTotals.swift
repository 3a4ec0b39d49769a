/// Watch time, viewers and events of one piece of content, summed over its viewers' states.
///
/// Stores keep it beside the states and move it by differences (new − old) in the transaction that changes a
/// state, so a title's answer is one row however many viewers it has. The sums are 128-bit because each viewer's
/// watch time may reach `Int64.max`, and differences stay exact only if the sum never saturates; answers clamp to
/// `Int64.max`.
public struct ContentTotals: Hashable, Sendable {
    /// Watch time of every viewer, summed exactly.
    public private(set) var exactWatchMilliseconds: Int128
    /// (user, content) states with at least one event.
    public private(set) var viewers: Int
    /// Events of every viewer, summed exactly.
    public private(set) var exactEvents: Int128

    /// Watch time as answered: clamped to `Int64.max`.
    public var watchMilliseconds: Int64 { Int64(clamping: exactWatchMilliseconds) }
    /// Events as answered: clamped to `Int64.max`.
    public var events: Int64 { Int64(clamping: exactEvents) }

    /// Totals as read from a store's row.
    public init(watchMilliseconds: Int64 = 0, viewers: Int = 0, events: Int64 = 0) {
        self.init(exactWatchMilliseconds: Int128(watchMilliseconds), viewers: viewers, exactEvents: Int128(events))
    }

    /// Totals read back from a store, exact.
    public init(exactWatchMilliseconds: Int128, viewers: Int, exactEvents: Int128) {
        self.exactWatchMilliseconds = exactWatchMilliseconds
        self.viewers = viewers
        self.exactEvents = exactEvents
    }

    /// Moves the totals from a viewer's `old` state (nil for a new viewer) to `new`.
    public mutating func replace(old: (watchMilliseconds: Int64, events: Int64)?, with new: PlaybackState) {
        if old == nil { viewers += 1 }
        exactWatchMilliseconds += Int128(new.watchMilliseconds) - Int128(old?.watchMilliseconds ?? 0)
        exactEvents += Int128(new.events) - Int128(old?.events ?? 0)
    }

    /// Adds the changes summed in `delta` (built from `replace` calls on an empty value).
    public mutating func add(_ delta: ContentTotals) {
        viewers += delta.viewers
        exactWatchMilliseconds += delta.exactWatchMilliseconds
        exactEvents += delta.exactEvents
    }
}
