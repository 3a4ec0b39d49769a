import Foundation
import Testing

@testable import TallyCore

@Suite("xxHash64 and HyperLogLog")
struct HyperLogLogTests {
    @Test func xxHash64KnownVectors() {
        #expect(XXHash64.hash("") == 0xEF46_DB37_51D8_E999)
        #expect(XXHash64.hash("a") == 0xD24E_C4F1_A98C_6E5B)
        #expect(XXHash64.hash("abc") == 0x44BC_2CF5_AD77_0999)
        #expect(XXHash64.hash("Nobody inspects the spammish repetition") == 0xFBCE_A83C_8A37_8BF1)
    }

    @Test func naturalLogarithmMatchesTheCLibrary() {
        for x in [1e-300, 1e-9, 0.5, 1, 2, 2.718281828459045, 10, 33_554_432, 1e300] {
            #expect(abs(x.logarithm - Foundation.log(x)) <= 1e-12 * max(1, abs(Foundation.log(x))), "\(x)")
        }
    }

    /// Measured, not asserted from theory: for each size, the error of one sketch must stay within 3 standard errors
    /// (1.04/√m); small sets (sparse mode) must be near exact.
    @Test(arguments: [10, 100, 1_000, 10_000, 100_000, 1_000_000])
    func errorStaysWithinThreeStandardErrors(_ n: Int) {
        var sketch = HyperLogLog(precision: 14)
        for i in 0..<n { sketch.insert(hash: XXHash64.hash("user-\(i)-\(n)")) }
        let error = abs(sketch.estimate - Double(n)) / Double(n)
        #expect(error <= 3 * sketch.standardError, "n=\(n) estimate=\(sketch.estimate)")
        if n <= 1000 { #expect(sketch.count == n, "sparse mode should be exact for n=\(n)") }
    }

    /// Large sizes use random 64-bit values as hashes (what xxHash64 of distinct ids looks like) to keep the test fast.
    @Test(arguments: [3_000_000, 10_000_000])
    func errorStaysWithinThreeStandardErrorsForMillions(_ n: Int) {
        var sketch = HyperLogLog(precision: 14)
        var rng = SplitMix64(seed: UInt64(n))
        for _ in 0..<n { sketch.insert(hash: rng.next()) }
        let error = abs(sketch.estimate - Double(n)) / Double(n)
        #expect(error <= 3 * sketch.standardError, "n=\(n) estimate=\(sketch.estimate)")
    }

    /// The error distribution over many independent sketches: its spread must match 1.04/√m (measured, reported
    /// in docs/performance.md), and its mean must be near zero (no bias).
    @Test func errorDistributionMatchesTheory() {
        var errors: [Double] = []
        for trial in 0..<200 {
            var sketch = HyperLogLog(precision: 14)
            var rng = SplitMix64(seed: 1000 + UInt64(trial))
            for _ in 0..<100_000 { sketch.insert(hash: rng.next()) }
            errors.append(sketch.estimate / 100_000 - 1)
        }
        let mean = errors.reduce(0, +) / Double(errors.count)
        let deviation = (errors.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(errors.count - 1)).squareRoot()
        let theory = 1.04 / 128
        #expect(abs(mean) < 3 * theory / Double(errors.count).squareRoot())
        #expect(deviation > 0.7 * theory && deviation < 1.3 * theory, "measured standard error \(deviation)")
    }

    @Test func mergeEqualsInsertingEverything() {
        var a = HyperLogLog(precision: 12)
        var b = HyperLogLog(precision: 12)
        var all = HyperLogLog(precision: 12)
        for i in 0..<50_000 {
            let h = XXHash64.hash("u\(i)")
            if i % 3 == 0 { a.insert(hash: h) } else { b.insert(hash: h) }
            all.insert(hash: h)
        }
        var merged = a
        merged.merge(b)
        #expect(merged.estimate == all.estimate)
        var small = HyperLogLog(precision: 12)
        small.insert(hash: XXHash64.hash("u1"))
        var mixed = all
        mixed.merge(small)
        #expect(mixed.estimate == all.estimate)
    }

    @Test func serializationRoundTripsBothModes() throws {
        for n in [0, 50, 20_000] {
            var sketch = HyperLogLog(precision: 12)
            for i in 0..<n { sketch.insert(hash: XXHash64.hash("s\(i)")) }
            let restored = try HyperLogLog(serialized: sketch.serialized())
            #expect(restored == sketch)
            #expect(restored.estimate == sketch.estimate)
        }
        #expect(throws: ByteReader.Failure.self) { try HyperLogLog(serialized: Array("THL1".utf8)) }
        #expect(throws: ByteReader.Failure.self) { try HyperLogLog(serialized: [1, 2, 3]) }
    }

    @Test func sparseToDenseKeepsTheEstimateClose() {
        var sketch = HyperLogLog(precision: 10)
        for i in 0..<120 { sketch.insert(hash: XXHash64.hash("x\(i)")) }
        #expect(sketch.isSparse)
        let sparseEstimate = sketch.estimate
        for i in 120..<200 { sketch.insert(hash: XXHash64.hash("x\(i)")) }
        #expect(!sketch.isSparse)
        #expect(abs(sparseEstimate - 120) < 1)
        #expect(abs(sketch.estimate - 200) / 200 < 3 * sketch.standardError)
    }
}
