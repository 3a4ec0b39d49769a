import TallyCore

/// Measures HyperLogLog's relative error against exact counts: for each size, 100 independent sketches (p = 14)
/// over random 64-bit hashes; prints mean error (bias), standard deviation, and the largest absolute error.
///
///     swift run -c release HLLAccuracy
@main
struct HLLAccuracy {
    static func main() {
        print("n,trials,mean_error,std_error,max_abs_error,theory_1.04/sqrt(m)")
        for n in [10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000] {
            let trials = n >= 1_000_000 ? 20 : 100
            var errors: [Double] = []
            for trial in 0..<trials {
                var sketch = HyperLogLog(precision: 14)
                var rng = SplitMix64(seed: UInt64(n) &* 31 &+ UInt64(trial))
                for _ in 0..<n { sketch.insert(hash: rng.next()) }
                errors.append(sketch.estimate / Double(n) - 1)
            }
            let mean = errors.reduce(0, +) / Double(trials)
            let std = (errors.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(trials - 1)).squareRoot()
            let worst = errors.map { abs($0) }.max() ?? 0
            print("\(n),\(trials),\(fmt(mean)),\(fmt(std)),\(fmt(worst)),\(fmt(1.04 / 128))")
        }
    }

    static func fmt(_ value: Double) -> String {
        let scaled = (value * 1_000_000).rounded() / 1_000_000
        return "\(scaled)"
    }
}
