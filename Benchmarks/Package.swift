// swift-tools-version: 6.1
// Benchmarks live in their own package so that `swift build` and `swift test` of Tally do not build
// package-benchmark. Run: cd Benchmarks && swift package benchmark --target TallyCoreBenchmarks (or ServerBenchmarks)
import PackageDescription

let package = Package(
    name: "TallyBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "tally", path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "TallyCoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "TallyCore", package: "tally"),
            ],
            path: "Benchmarks/TallyCoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        // The server's per-request checks (API keys), measured apart from HTTP.
        .executableTarget(
            name: "ServerBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "TallyCore", package: "tally"),
                .product(name: "TallyPipeline", package: "tally"),
                .product(name: "TallyServer", package: "tally"),
            ],
            path: "Benchmarks/ServerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        // Measured HyperLogLog error against exact counts (docs/performance.md).
        .executableTarget(
            name: "HLLAccuracy",
            dependencies: [.product(name: "TallyCore", package: "tally")],
            path: "HLLAccuracy"
        ),
        // Load generator for session traces over WebSockets (run against `tally serve`; see docs/performance.md).
        .executableTarget(
            name: "SessionLoad",
            dependencies: [
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "SessionLoad"
        ),
    ],
    swiftLanguageModes: [.v6]
)
