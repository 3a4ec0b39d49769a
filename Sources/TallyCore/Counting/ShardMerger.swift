/// `tally count --merge`: combines the per-window sketches of several `tally count --shard` processes (each counting
/// some partitions of a topic) into the results one processor over all partitions would give.
///
/// Per window it keeps each shard's latest contribution (a shard re-emits a window with a higher revision when late
/// frames revise it, and identically after a restart). The merged result is the union of the shards' sketches
/// (exact for sets, register-wise maximum for HyperLogLog, so no extra error) and the sum of their frame counts; it
/// is emitted whenever a contribution changed it, with its own revision counting up, and is `final` once every
/// contributing shard's is. Consumers keep the latest revision per window, as with late revisions of one processor.
///
/// Memory stays bounded: windows that ended more than `retention` before the newest final contribution of the
/// finest unit are forgotten, and contributions to them are rejected and counted (raise `--retention` when shards
/// lag far behind one another).
public struct ShardMerger: Sendable {
    /// Every input line lands in one of these, so the merge's summary accounts for its input.
    public struct Statistics: Hashable, Sendable {
        /// Input lines, every kind.
        public var lines = 0
        /// Contributions merged into a window.
        public var contributions = 0
        /// Lines that are not shard contributions.
        public var invalid = 0
        /// Empty lines.
        public var blank = 0
        /// Contributions older than the shard's latest for their window (a re-emission after a restart), ignored.
        public var superseded = 0
        /// Contributions to windows already forgotten (beyond the retention).
        public var rejectedTooOld = 0
        /// Merged results written.
        public var results = 0
    }

    struct Merged: Sendable {
        var contributions: [String: ShardContribution] = [:]
        var revision = -1
    }

    /// How long behind the newest final contribution a window is kept.
    public let retention: Duration
    /// The counts so far.
    public internal(set) var statistics = Statistics()
    /// The first few problems with their line numbers, for the summary on stderr.
    public private(set) var firstProblems: [(line: Int, message: String)] = []
    var windows: [EventWindow: Merged] = [:]
    var changed: Set<EventWindow> = []
    var finestUnit: WindowUnit?
    /// Windows ending at or before this are forgotten.
    var horizon: Int64 = .min
    var newestFinalEnd: Int64 = .min

    /// An empty merge keeping windows for `retention`.
    public init(retention: Duration) {
        self.retention = retention
    }

    /// Windows held, for progress lines.
    public var openWindows: Int { windows.count }

    /// Takes one line of shard output.
    public mutating func add(line: UnsafeRawBufferPointer) {
        statistics.lines += 1
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
            statistics.blank += 1
            return
        }
        let contribution: ShardContribution
        do {
            contribution = try ShardContribution.parse(line)
        } catch {
            statistics.invalid += 1
            note(error.description)
            return
        }
        add(contribution)
    }

    /// A line that could not be read at all (too long).
    public mutating func reject(message: String) {
        statistics.lines += 1
        statistics.invalid += 1
        note(message)
    }

    private mutating func note(_ message: String) {
        if firstProblems.count < 5 { firstProblems.append((statistics.lines, message)) }
    }

    /// Takes one shard's contribution to a window: it replaces that shard's older one and marks the window changed.
    public mutating func add(_ contribution: ShardContribution) {
        let window = contribution.window
        guard window.end.millisecondsSinceEpoch > horizon else {
            statistics.rejectedTooOld += 1
            return
        }
        var merged = windows[window] ?? Merged()
        if let other = merged.contributions.values.first, !other.sketch.canMerge(with: contribution.sketch) {
            statistics.invalid += 1
            note(
                "shard \(contribution.shard): its \(window.unit) sketch cannot be merged with shard \(other.shard)'s (exact and HyperLogLog, or other precisions)"
            )
            return
        }
        if let previous = merged.contributions[contribution.shard] {
            let newer =
                contribution.revision > previous.revision
                || (contribution.revision == previous.revision && (contribution.final || !previous.final))
            guard newer else {
                statistics.superseded += 1
                return
            }
        }
        statistics.contributions += 1
        merged.contributions[contribution.shard] = contribution
        windows[window] = merged
        changed.insert(window)
        if contribution.final { noteFinal(window) }
    }

    /// Emits the merged result of every window changed since the last call, oldest end first, then forgets
    /// windows past the retention.
    public mutating func flush(into outputs: inout [CountResult]) {
        for window in changed.sorted(by: { ($0.end, $0.start, $0.unit.description) < ($1.end, $1.start, $1.unit.description) }) {
            guard var merged = windows[window] else { continue }
            var contributions = merged.contributions.values.makeIterator()
            guard var union = contributions.next()?.sketch else { continue }
            while let next = contributions.next() { union.merge(next.sketch) }
            merged.revision += 1
            windows[window] = merged
            statistics.results += 1
            outputs.append(
                CountResult(
                    window: window, uniques: union.count, frames: merged.contributions.values.reduce(0) { $0 + $1.frames },
                    final: merged.contributions.values.allSatisfy(\.final), revision: merged.revision,
                    exact: union.isExact, relativeError: union.relativeError))
        }
        changed.removeAll()
        let newHorizon = newestFinalEnd == .min ? Int64.min : newestFinalEnd - retention.milliseconds
        if newHorizon > horizon {
            horizon = newHorizon
            windows = windows.filter { $0.key.end.millisecondsSinceEpoch > horizon }
        }
    }

    private mutating func noteFinal(_ window: EventWindow) {
        let rank = { (unit: WindowUnit) in CountConfiguration.supportedUnits.firstIndex(of: unit) ?? 0 }
        if finestUnit.map({ rank(window.unit) < rank($0) }) ?? true { finestUnit = window.unit }
        guard window.unit == finestUnit else { return }
        newestFinalEnd = max(newestFinalEnd, window.end.millisecondsSinceEpoch)
    }
}
