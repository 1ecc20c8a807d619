// swift-tools-version: 6.0
// The lock-strategy lab and the overhead benchmark. A package of its own, so benchmark-only dependencies never
// enter a user's build. Run: swift run -c release --package-path Benchmarks lock-bench --help
import PackageDescription

let package = Package(
    name: "VersionedORMBenchmarks",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lock-bench", targets: ["LockBench"]),
        .executable(name: "peer-bench", targets: ["PeerBench"]),
    ],
    dependencies: [
        .package(name: "VersionedORM", path: "../"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.1.0"),
        .package(url: "https://github.com/ordo-one/malloc-interposer.git", from: "1.6.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.4.0"),
        // The Swift peers, measured by peer-bench only; exact versions, so the report names what ran.
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
    ],
    targets: [
        // The raw baselines call the C APIs directly; these module names differ from the library's own
        // (CSQLite3, CLibPQ), which are not products.
        .systemLibrary(name: "RawSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "RawLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .executableTarget(
            name: "LockBench",
            dependencies: [
                "RawSQLite", "RawLibPQ",
                .product(name: "VersionedORM", package: "VersionedORM"),
                .product(name: "VersionedORMMacros", package: "VersionedORM"),
                .product(name: "SQLiteDriver", package: "VersionedORM"),
                .product(name: "PostgresDriver", package: "VersionedORM"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                "BenchSupport",
            ]
        ),
        // What both executables share: the figures peer-bench reports, the throwaway server, seeds, start line.
        .target(name: "BenchSupport"),
        // GRDB and PostgresNIO, each written its fastest idiomatic way, on lock-bench's workloads.
        .executableTarget(
            name: "PeerBench",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                "BenchSupport",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
