import Synchronization
import TallyCore

/// What this server ingested over the last minutes, one bucket per second: events committed by kind, commits and
/// their sizes, and errors answered by code. For the dashboard's live panels and for operators; the totals since
/// start are in `/metrics`. Per server: several servers each count their own.
public final class IngestStats: Sendable {
    /// The kinds counted, in the order they are reported.
    public static let kinds = ["heartbeat", "watch", "ad", "session"]
    /// Seconds kept.
    public static let capacity = 300

    private struct Bucket {
        var second: Int64 = .min
        var events = [Int](repeating: 0, count: IngestStats.kinds.count)
        var commits = 0
        var committedEvents = 0
        var errors: [String: Int] = [:]
    }

    /// One reading: `seconds` buckets ending with the current second, oldest first.
    public struct Snapshot: Sendable {
        /// The first bucket's second, in milliseconds since the epoch.
        public var startMs: Int64
        /// Events committed per second, by kind (keys from `IngestStats.kinds`).
        public var events: [String: [Int]]
        /// Commits per second.
        public var commits: [Int]
        /// Events per second in those commits (divided by `commits`: the mean batch size).
        public var committedEvents: [Int]
        /// Error answers over the whole span, by code.
        public var errors: [String: Int]
    }

    private let buckets = Mutex([Bucket](repeating: Bucket(), count: IngestStats.capacity))
    private let now: @Sendable () -> Int64

    /// Stats on `clock`, milliseconds since the epoch (the server passes its wall clock, so that `startMs` is a time
    /// a page can show); without one, the process's monotonic clock, which still gives true rates.
    public init(clock: @escaping @Sendable () -> Int64 = ResumeView.monotonicMilliseconds) {
        now = clock
    }

    /// The second `now()` falls in, floored (a clock before 1970 too).
    private func currentSecond() -> Int64 {
        Self.second.window(containing: Timestamp(millisecondsSinceEpoch: now())).start.millisecondsSinceEpoch / 1000
    }

    private static let second = WindowUnit.seconds(1)

    private static func slot(_ second: Int64) -> Int {
        let capacity = Int64(Self.capacity)
        return Int((second % capacity + capacity) % capacity)
    }

    /// One committed batch: its events by kind, in the order of `kinds`.
    public func recordCommit(heartbeats: Int, watches: Int, ads: Int, sessionEntries: Int) {
        update { bucket in
            for (index, count) in [heartbeats, watches, ads, sessionEntries].enumerated() { bucket.events[index] += count }
            bucket.commits += 1
            bucket.committedEvents += heartbeats + watches + ads + sessionEntries
        }
    }

    /// One error answered with `code`.
    public func recordError(code: String) {
        update { $0.errors[code, default: 0] += 1 }
    }

    private func update(_ change: (inout Bucket) -> Void) {
        let second = currentSecond()
        buckets.withLock { buckets in
            let slot = Self.slot(second)
            if buckets[slot].second != second { buckets[slot] = Bucket(second: second) }
            change(&buckets[slot])
        }
    }

    /// The last `seconds` seconds (1 to `capacity`), the current one included.
    public func snapshot(seconds: Int) -> Snapshot {
        let span = min(max(seconds, 1), Self.capacity)
        let last = currentSecond()
        let first = last - Int64(span) + 1
        return buckets.withLock { buckets in
            var snapshot = Snapshot(
                startMs: first * 1000, events: [:], commits: [], committedEvents: [], errors: [:])
            var events = [[Int]](repeating: [], count: Self.kinds.count)
            for second in first...last {
                let bucket = buckets[Self.slot(second)]
                let current = bucket.second == second
                for index in Self.kinds.indices { events[index].append(current ? bucket.events[index] : 0) }
                snapshot.commits.append(current ? bucket.commits : 0)
                snapshot.committedEvents.append(current ? bucket.committedEvents : 0)
                if current { snapshot.errors.merge(bucket.errors, uniquingKeysWith: +) }
            }
            for (index, kind) in Self.kinds.enumerated() { snapshot.events[kind] = events[index] }
            return snapshot
        }
    }
}
