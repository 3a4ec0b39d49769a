import CTallySIMD
import Testing

@testable import TallyCore

/// The C kernels compute the byte classes Swift's SIMD code computes, for every byte value at every position of a
/// block: a table or comparison slip in a kernel shows here by name, before the validator's differential tests.
@Suite("Byte-class kernels")
struct ByteClassKernelTests {
    @Test(arguments: ByteClassKernel.available.filter { $0 != .swiftSSE2 })
    func kernelGivesSwiftsClassesForEveryByteEverywhere(kernel: ByteClassKernel) throws {
        // Block k holds (k + position) mod 256 at each position: every byte value at every position once.
        let bytes = (0..<256).flatMap { k in (0..<64).map { UInt8(truncatingIfNeeded: k + $0) } }
        let classify = try #require(kernel.blocks)
        var fromKernel = [tally_byte_classes](repeating: .init(), count: 256)
        bytes.withUnsafeBufferPointer { input in
            fromKernel.withUnsafeMutableBufferPointer { classify(input.baseAddress, 256, $0.baseAddress) }
        }
        bytes.withUnsafeBytes { raw in
            for block in 0..<256 {
                let at = raw.baseAddress! + block * 64
                let swift = JSONBlockClassifier.byteClasses(at)
                let escapes = JSONBlockClassifier.escapeClasses(at)
                let c = fromKernel[block]
                let pairs: [(String, UInt64, UInt64)] = [
                    ("backslashes", c.backslashes, swift.backslashes), ("quotes", c.quotes, swift.quotes),
                    ("controls", c.controls, swift.controls), ("spaces", c.spaces, swift.spaces),
                    ("opens", c.opens, swift.opens), ("closes", c.closes, swift.closes),
                    ("curly", c.curly, swift.curly),
                    ("colons", c.colons, swift.colons), ("commas", c.commas, swift.commas),
                    ("escapable", c.escapable, escapes.escapable), ("unicode", c.unicode, escapes.unicode),
                    ("hex", c.hex, escapes.hex),
                ]
                for (name, got, expected) in pairs {
                    #expect(
                        got == expected,
                        "\(kernel) \(name), block \(block): \(String(got, radix: 16)) vs \(String(expected, radix: 16))"
                    )
                }
            }
        }
    }
}
