/// The set of users of one window: exact (the ids themselves; the oracle in tests) or a HyperLogLog estimate.
public enum UniqueSketch: Hashable, Sendable {
    /// The ids themselves: exact, memory in proportion to the users.
    case exact(Set<String>)
    /// A HyperLogLog: about 0.8% error at the default precision, a few KiB whatever the users.
    case hll(HyperLogLog)

    /// An empty sketch of the configured kind.
    public static func empty(exact: Bool, precision: Int) -> UniqueSketch {
        exact ? .exact([]) : .hll(HyperLogLog(precision: precision))
    }

    /// Adds one user: the exact set keeps the id's bytes, HyperLogLog only its hash.
    @inline(__always)
    public mutating func insert(hash: UInt64, user: UnsafeRawBufferPointer) {
        switch self {
        case .exact(var set):
            self = .hll(HyperLogLog(precision: 4))  // release the set's buffer so the insert does not copy it
            set.insert(String(decoding: user, as: UTF8.self))
            self = .exact(set)
        case .hll(var sketch):
            self = .exact([])
            sketch.insert(hash: hash)
            self = .hll(sketch)
        }
    }

    /// The union with `other`, which must be of the same kind (`canMerge(with:)`).
    public mutating func merge(_ other: UniqueSketch) {
        switch (self, other) {
        case (.exact(var mine), .exact(let theirs)):
            self = .exact([])
            mine.formUnion(theirs)
            self = .exact(mine)
        case (.hll(var mine), .hll(let theirs)):
            self = .exact([])
            mine.merge(theirs)
            self = .hll(mine)
        default:
            preconditionFailure("cannot merge an exact set with a HyperLogLog sketch")
        }
    }

    /// True when `merge` accepts `other`: both exact, or HyperLogLogs of the same precision.
    public func canMerge(with other: UniqueSketch) -> Bool {
        switch (self, other) {
        case (.exact, .exact): return true
        case (.hll(let mine), .hll(let theirs)): return mine.precision == theirs.precision
        default: return false
        }
    }

    /// Distinct users: exact, or HyperLogLog's estimate.
    public var count: Int {
        switch self {
        case .exact(let set): return set.count
        case .hll(let sketch): return sketch.count
        }
    }

    /// Relative standard error of `count`: 0 for exact sets; 1.04/√m for dense sketches; linear counting's
    /// 1/√(2·2^25) while sparse.
    public var relativeError: Double {
        switch self {
        case .exact: return 0
        case .hll(let sketch):
            return sketch.isSparse ? 1 / Double(2 << HyperLogLog.sparsePrecision).squareRoot() : sketch.standardError
        }
    }

    /// True for an exact set.
    public var isExact: Bool {
        if case .exact = self { return true }
        return false
    }
}
