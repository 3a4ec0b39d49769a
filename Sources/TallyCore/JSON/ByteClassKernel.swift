import CTallySIMD

/// The code that compares a block's bytes for `JSONValidator`: Swift's SIMD types (SSE2, every x86-64 CPU, and any
/// other architecture) or one of the C kernels in `CTallySIMD`, chosen at run time by what the CPU has.
///
/// Swift compiles for the baseline CPU and cannot choose a function compiled for newer instructions at run time, so
/// the wider kernels are C; they only compare bytes, the rest of the validator is the same Swift for every kernel.
/// AVX-512 compares a whole 64-byte block into a mask in one instruction, AVX2 needs two comparisons and two mask
/// moves per class.
enum ByteClassKernel: Sendable, CaseIterable, CustomStringConvertible {
    case swiftSSE2, avx2, avx512

    /// The fastest kernel this CPU runs, unless the environment asks for a narrower one (`TALLY_SIMD=sse2` or
    /// `avx2`, read once by `CTallySIMD`).
    static let fastest = available.last { $0.width <= Int(tally_simd_limit()) } ?? .swiftSSE2

    /// The kernels this CPU runs, slowest first.
    static let available: [ByteClassKernel] = allCases.filter(\.isSupported)

    /// 0, 1, 2 from the narrowest to the widest, as `tally_simd_limit` counts them.
    private var width: Int {
        switch self {
        case .swiftSSE2: 0
        case .avx2: 1
        case .avx512: 2
        }
    }

    var isSupported: Bool {
        switch self {
        case .swiftSSE2: true
        case .avx2: tally_has_avx2() != 0
        case .avx512: tally_has_avx512() != 0
        }
    }

    /// The C function that classifies consecutive blocks; nil for the Swift code, which classifies block by block.
    var blocks: (@convention(c) (UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<tally_byte_classes>?) -> Void)? {
        switch self {
        case .swiftSSE2: nil
        case .avx2: tally_classify_blocks_avx2
        case .avx512: tally_classify_blocks_avx512
        }
    }

    /// The C function that finds one block's structural classes; nil for the Swift code.
    var structural: (@convention(c) (UnsafePointer<UInt8>?, UnsafeMutablePointer<tally_structural_classes>?) -> Void)? {
        switch self {
        case .swiftSSE2: nil
        case .avx2: tally_structural_avx2
        case .avx512: tally_structural_avx512
        }
    }

    var description: String {
        switch self {
        case .swiftSSE2: "Swift SSE2"
        case .avx2: "AVX2"
        case .avx512: "AVX-512"
        }
    }
}
