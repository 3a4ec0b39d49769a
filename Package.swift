// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "tally",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tally", targets: ["tally"]),
        .library(name: "TallyCore", targets: ["TallyCore"]),
        // For the benchmarks package (Benchmarks/), which measures the server's per-request checks.
        .library(name: "TallyPipeline", targets: ["TallyPipeline"]),
        .library(name: "TallyServer", targets: ["TallyServer"]),
    ],
    traits: [
        .trait(name: "Kafka", description: "Kafka sources and sinks through librdkafka (Debian: librdkafka-dev)"),
        // On by default: the unique counter's brief is built on Kafka. `swift build --disable-default-traits`
        // builds without librdkafka (the Kafka options then fail with a message naming the trait).
        .default(enabledTraits: ["Kafka"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // `tally generate feed` posts to a running server (already in the graph through HummingbirdTesting).
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.30.0"),
        // Already under PostgresNIO (SCRAM); SHA-256 of API key secrets.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.9.0"..<"5.0.0"),
        // Already under HummingbirdTLS; named for the TLS tests' client configuration.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Already under Hummingbird; named for the connection guard (a channel handler) and for `IOError`, which
        // tells a port in use from other start-up failures.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // The JSON validator's one vector primitive Swift lacks (byte mask gathering); header-only, no I/O.
        .target(name: "CTallySIMD"),
        // Pure domain: events, validation, the JSON reader, processors. No I/O, no frameworks.
        .target(
            name: "TallyCore",
            // Deque: open windows leave from the front as the watermark passes them (an array shifts them all).
            dependencies: ["CTallySIMD", .product(name: "DequeModule", package: "swift-collections")],
            // `rounded()` and `squareRoot()` call libm; linked explicitly so TallyCore works without Foundation.
            linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]
        ),
        // System zlib (Debian: zlib1g-dev), for reading .gz input.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // System librdkafka (Debian: librdkafka-dev), built only with the Kafka trait.
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        // A small Swift face over librdkafka: idempotent producer with delivery reports, consumer group with manual commits.
        // Its sources are wrapped in `#if Kafka`, so that `swift build`/`swift test`, which build every target, need
        // no librdkafka without the trait.
        .target(
            name: "TallyKafka",
            dependencies: [
                .target(name: "CRdKafka", condition: .when(traits: ["Kafka"])),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // File and stdin adapters: chunked reads with idle detection, gzip, buffered output, progress lines.
        .target(name: "TallyIO", dependencies: ["TallyCore", "CZlib"]),
        // The ingest pipeline and the contracts of storage: store protocols, group commit (`IngestWriter`), the
        // playback hot set, the resume and session read models, the resume ticker. No database driver: the engines
        // below implement its protocols, and only the composition root (`tally serve`) picks one.
        .target(
            name: "TallyPipeline",
            dependencies: [
                "TallyCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The embedded engine: one SQLite file per data directory, through GRDB.
        .target(
            name: "TallySQLite",
            dependencies: [
                "TallyCore",
                "TallyPipeline",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The shared engine: PostgreSQL for several servers, through PostgresNIO.
        .target(
            name: "TallyPostgres",
            dependencies: [
                "TallyCore",
                "TallyPipeline",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // HTTP adapter: routes, errors, health and metrics.
        .target(
            name: "TallyServer",
            dependencies: [
                "TallyCore",
                "TallyPipeline",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                // HTTPS and WSS (--tls-cert/--tls-key), over swift-nio-ssl.
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // The connection guard is a channel handler: timeouts and answers to unparseable requests.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            plugins: ["EmbedAssets"]
        ),
        // Compiles the files under Assets/ (the OpenAPI document) into TallyServer, so the binary serves them
        // from anywhere it is copied, with no resource bundle beside it.
        .plugin(name: "EmbedAssets", capability: .buildTool(), dependencies: ["EmbedAssetsTool"]),
        .executableTarget(name: "EmbedAssetsTool"),
        .executableTarget(
            name: "tally",
            dependencies: [
                "TallyCore",
                "TallyPipeline",
                "TallySQLite",
                "TallyPostgres",
                "TallyServer",
                "TallyIO",
                .target(name: "TallyKafka", condition: .when(traits: ["Kafka"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // Helpers shared by the test targets (temporary directories).
        .target(name: "TallyTestSupport", dependencies: ["TallyCore", "TallyPipeline", "TallySQLite", "TallyPostgres"], path: "Tests/TallyTestSupport"),
        .testTarget(name: "TallyCoreTests", dependencies: ["TallyCore"]),
        // Runs the built `tally` binary as a user would (it is built by `swift test` next to the test bundle).
        .testTarget(
            name: "TallyCLITests",
            dependencies: ["TallyTestSupport", .target(name: "TallyKafka", condition: .when(traits: ["Kafka"]))]
        ),
        .testTarget(name: "TallyIOTests", dependencies: ["TallyCore", "TallyIO", "TallyTestSupport"]),
        // Real produce/consume through a broker (TALLY_TEST_KAFKA_BROKERS); compiled only with the Kafka trait.
        .testTarget(
            name: "TallyKafkaTests",
            dependencies: [.target(name: "TallyKafka", condition: .when(traits: ["Kafka"])), "TallyTestSupport"]
        ),
        // GRDB directly: the corrupt-row tests write what Tally never would.
        .testTarget(
            name: "TallyStoreTests",
            dependencies: [
                "TallyCore", "TallyPipeline", "TallySQLite", "TallyPostgres", "TallyTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The schema agreement test reads PostgreSQL's catalog.
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "TallyServerTests",
            dependencies: [
                "TallyCore",
                "TallyPipeline",
                "TallySQLite",
                "TallyPostgres",
                "TallyServer",
                "TallyTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
