// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "VersionedORM",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "VersionedORM", targets: ["VersionedORM"]),
        .library(name: "SQLiteDriver", targets: ["SQLiteDriver"]),
        .library(name: "PostgresDriver", targets: ["PostgresDriver"]),
        .executable(name: "example", targets: ["Example"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.4.0"),
    ],
    targets: [
        // The core: models, SQL, persistence rules, transactions, the driver protocol. No C, no I/O.
        .target(
            name: "VersionedORM",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            exclude: ["README.md"]
        ),
        .systemLibrary(
            name: "CSQLite3",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .target(
            name: "SQLiteDriver",
            dependencies: ["VersionedORM", "CSQLite3"],
            path: "Sources/ORMDrivers/SQLite"
        ),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        .target(
            name: "PostgresDriver",
            dependencies: ["VersionedORM", "CLibPQ"],
            path: "Sources/ORMDrivers/Postgres"
        ),
        .executableTarget(
            name: "Example",
            dependencies: ["VersionedORM", "SQLiteDriver"]
        ),
        .testTarget(
            name: "VersionedORMTests",
            // The drivers for their dialects only: these tests render SQL and open no database.
            dependencies: ["VersionedORM", "SQLiteDriver", "PostgresDriver"]
        ),
        .testTarget(
            name: "BehaviourTests",
            dependencies: [
                "VersionedORM", "SQLiteDriver", "PostgresDriver",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
