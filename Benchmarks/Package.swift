// swift-tools-version: 6.1
// Benchmarks live in their own package so that `swift build` and `swift test` of Tally do not build
// package-benchmark. Run: cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "TallyBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "tally", path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
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
    ],
    swiftLanguageModes: [.v6]
)
