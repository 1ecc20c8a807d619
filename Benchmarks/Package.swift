// swift-tools-version: 6.0
// The lock-strategy lab and the overhead benchmark. A package of its own, so benchmark-only dependencies never
// enter a user's build. Run: swift run -c release --package-path Benchmarks lock-bench --help
import PackageDescription

let package = Package(
    name: "VersionedORMBenchmarks",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lock-bench", targets: ["LockBench"]),
    ],
    dependencies: [
        .package(name: "VersionedORM", path: "../"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.1.0"),
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
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
