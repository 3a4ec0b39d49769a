/// A HyperLogLog sketch of 2^p registers over 64-bit hashes, with a sparse mode for small sets.
///
/// - Sparse (HLL++, Heule et al. 2013): while small, the sketch keeps the largest rank per index at precision 25,
///   and estimates with linear counting over 2^25 buckets: practically exact up to thousands of users, at a few bytes
///   per user. It turns dense once that costs more than the dense registers.
/// - Dense: one byte per register; estimated with Ertl's improved raw estimator ("New cardinality estimation
///   algorithms for HyperLogLog sketches", 2017), which is unbiased over the whole range without HLL++'s empirical
///   bias tables. Standard error 1.04/√m.
/// - Union (`merge`) is exact on the registers, which is what lets coarse windows be built from fine ones and
///   shards be combined.
public struct HyperLogLog: Hashable, Sendable {
    /// p: the sketch has 2^p registers; sketches merge only with the same precision.
    public let precision: Int
    private(set) var registers: [UInt8] = []
    /// index at precision 25 → largest rank seen, while sparse.
    private(set) var sparse: [UInt32: UInt8]? = [:]

    static let sparsePrecision = 25

    /// The precisions a sketch may have: 2^4 to 2^18 registers.
    public static let precisionRange = 4...18
    /// 2^14 registers: about 0.8% standard error in 12 KiB.
    public static let defaultPrecision = 14

    /// An empty sketch, sparse until it grows.
    public init(precision: Int = Self.defaultPrecision) {
        precondition(Self.precisionRange.contains(precision), "HyperLogLog precision must be in \(Self.precisionRange)")
        self.precision = precision
    }

    /// m = 2^p.
    public var registerCount: Int { 1 << precision }

    mutating func restore(sparse: [UInt32: UInt8]?, registers: [UInt8]) {
        self.sparse = sparse
        self.registers = registers
    }
    /// True while the sketch keeps the sparse map (small sets), false once it has dense registers.
    public var isSparse: Bool { sparse != nil }

    /// The theoretical relative standard error, 1.04/√m.
    public var standardError: Double { 1.04 / Double(registerCount).squareRoot() }

    /// Adds one element by its 64-bit hash (the caller hashes once, with XXHash64, for every window it goes to).
    public mutating func insert(hash: UInt64) {
        if sparse != nil {
            let index = UInt32(truncatingIfNeeded: hash >> UInt64(64 - Self.sparsePrecision))
            let rank = UInt8(min((hash << UInt64(Self.sparsePrecision)).leadingZeroBitCount + 1, 64 - Self.sparsePrecision + 1))
            if rank > (sparse![index] ?? 0) { sparse![index] = rank }
            if sparse!.count > registerCount / 8 { densify() }
            return
        }
        let index = Int(hash >> UInt64(64 - precision))
        let rank = UInt8(min((hash << UInt64(precision)).leadingZeroBitCount + 1, 64 - precision + 1))
        if rank > registers[index] { registers[index] = rank }
    }

    /// The union: afterwards the sketch estimates the distinct elements of both (same precision required).
    public mutating func merge(_ other: HyperLogLog) {
        precondition(other.precision == precision, "cannot merge sketches of different precision")
        if let theirs = other.sparse, sparse != nil {
            for (index, rank) in theirs where rank > (sparse![index] ?? 0) { sparse![index] = rank }
            if sparse!.count > registerCount / 8 { densify() }
            return
        }
        if sparse != nil { densify() }
        let theirs = other.sparse == nil ? other.registers : other.densified().registers
        for i in 0..<registerCount where theirs[i] > registers[i] { registers[i] = theirs[i] }
    }

    /// Estimated number of distinct hashes inserted.
    public var estimate: Double {
        if let sparse {
            let m = Double(1 << Self.sparsePrecision)
            let empty = m - Double(sparse.count)
            return m * (m / empty).logarithm
        }
        let q = 64 - precision
        var histogram = [Int](repeating: 0, count: q + 2)
        for value in registers { histogram[Int(value)] += 1 }
        let m = Double(registerCount)
        var z = m * Self.tau(1 - Double(histogram[q + 1]) / m)
        for k in stride(from: q, through: 1, by: -1) {
            z = 0.5 * (z + Double(histogram[k]))
        }
        z += m * Self.sigma(Double(histogram[0]) / m)
        return m * m / (2 * (2.0).logarithm) / z
    }

    /// The estimated number of distinct elements.
    public var count: Int { Int(estimate.rounded()) }

    private func densified() -> HyperLogLog {
        var copy = self
        copy.densify()
        return copy
    }

    private mutating func densify() {
        guard let entries = sparse else { return }
        registers = [UInt8](repeating: 0, count: registerCount)
        let extra = Self.sparsePrecision - precision
        for (index, rank) in entries {
            let dense = Int(index >> UInt32(extra))
            let low = index & ((1 << UInt32(extra)) - 1)
            let denseRank = low == 0 ? UInt8(extra) + rank : UInt8((low << UInt32(32 - extra)).leadingZeroBitCount + 1)
            if denseRank > registers[dense] { registers[dense] = denseRank }
        }
        sparse = nil
    }

    static func sigma(_ x: Double) -> Double {
        if x == 1 { return .infinity }
        var x = x
        var y = 1.0
        var z = x
        var previous = 0.0
        repeat {
            x *= x
            previous = z
            z += x * y
            y += y
        } while z != previous
        return z
    }

    static func tau(_ x: Double) -> Double {
        if x == 0 || x == 1 { return 0 }
        var x = x
        var y = 1.0
        var z = 1 - x
        var previous = 0.0
        repeat {
            x = x.squareRoot()
            previous = z
            y *= 0.5
            z -= (1 - x) * (1 - x) * y
        } while z != previous
        return z / 3
    }
}

extension Double {
    /// Natural logarithm without Foundation: log2 via the exponent and a series on the mantissa.
    var logarithm: Double {
        guard self > 0 else { return -.infinity }
        let exponent = Double(self.exponent)
        let mantissa = self.significand  // in [1, 2)
        // ln(m) = 2 atanh((m-1)/(m+1)), series converges fast for m in [1, 2).
        let t = (mantissa - 1) / (mantissa + 1)
        let t2 = t * t
        var term = t
        var sum = 0.0
        var k = 1.0
        repeat {
            sum += term / k
            term *= t2
            k += 2
        } while term / k > 1e-17
        return 2 * sum + exponent * 0.693_147_180_559_945_309_417_232_121_458
    }
}
