// swift-tools-version: 6.0
import CompilerPluginSupport
import PackageDescription

let package = Package(
    name: "VersionedORM",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "VersionedORM", targets: ["VersionedORM"]),
        .library(name: "SQLiteDriver", targets: ["SQLiteDriver"]),
        .library(name: "PostgresDriver", targets: ["PostgresDriver"]),
        // `@Model`: a product of its own, so the core builds without swift-syntax.
        .library(name: "VersionedORMMacros", targets: ["VersionedORMMacros"]),
        // Integrations, each a product of its own so an application builds only the ones it names.
        // ETag / If-Match and the library's errors as HTTP statuses, on swift-http-types only.
        .library(name: "VersionedORMHTTP", targets: ["VersionedORMHTTP"]),
        // The same for Hummingbird 2: one middleware.
        .library(name: "VersionedORMHummingbird", targets: ["VersionedORMHummingbird"]),
        // `Database` as a swift-service-lifecycle `Service`.
        .library(name: "VersionedORMServiceLifecycle", targets: ["VersionedORMServiceLifecycle"]),
        // Spans through swift-distributed-tracing, in OpenTelemetry's database conventions.
        .library(name: "VersionedORMTracing", targets: ["VersionedORMTracing"]),
        // For applications' tests: conflicts and failures on purpose, statement recording, a retry clock.
        .library(name: "VersionedORMTesting", targets: ["VersionedORMTesting"]),
        .executable(name: "example", targets: ["Example"]),
        .executable(name: "web-example", targets: ["WebExample"]),
    ],
    dependencies: [
        // 1.16.2: the task-local logger (`Logger.current`, `withLogger`).
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.4.0"),
        .package(url: "https://github.com/swiftlang/swift-syntax.git", "600.0.0"..<"604.0.0"),
        .package(url: "https://github.com/pointfreeco/swift-macro-testing.git", from: "0.6.0"),
        // Test-only: the retry tests run on its ImmediateClock through RetryClock's Clock adapter.
        .package(url: "https://github.com/pointfreeco/swift-clocks.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.1.0"),
        // `swift package generate-documentation` (scripts/check-docs.sh); a plugin, linked into nothing.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.4.0"),
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
        // The compiler plugin behind `@Model`; it runs at build time and links into no program.
        .macro(
            name: "VersionedORMMacroPlugin",
            dependencies: [
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftSyntaxBuilder", package: "swift-syntax"),
                .product(name: "SwiftDiagnostics", package: "swift-syntax"),
                .product(name: "SwiftCompilerPlugin", package: "swift-syntax"),
            ],
            path: "Sources/Macros/Plugin"
        ),
        .target(
            name: "VersionedORMMacros",
            dependencies: ["VersionedORM", "VersionedORMMacroPlugin"],
            path: "Sources/Macros/Declarations"
        ),
        .target(
            name: "VersionedORMHTTP",
            dependencies: ["VersionedORM", .product(name: "HTTPTypes", package: "swift-http-types")],
            path: "Sources/Integrations/HTTP"
        ),
        .target(
            name: "VersionedORMHummingbird",
            dependencies: ["VersionedORMHTTP", .product(name: "Hummingbird", package: "hummingbird")],
            path: "Sources/Integrations/Hummingbird"
        ),
        .target(
            name: "VersionedORMServiceLifecycle",
            dependencies: ["VersionedORM", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            path: "Sources/Integrations/ServiceLifecycle"
        ),
        .target(
            name: "VersionedORMTracing",
            dependencies: ["VersionedORM", .product(name: "Tracing", package: "swift-distributed-tracing")],
            path: "Sources/Integrations/Tracing"
        ),
        .target(
            name: "VersionedORMTesting",
            dependencies: ["VersionedORM"],
            path: "Sources/Integrations/Testing"
        ),
        .executableTarget(
            name: "Example",
            dependencies: ["VersionedORMMacros", "SQLiteDriver"]
        ),
        // The web example: the API in a target of its own, so the tests drive it in process.
        .target(
            name: "WebBankAPI",
            dependencies: [
                "VersionedORMMacros", "VersionedORMHTTP", "VersionedORMHummingbird",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Sources/WebExample/API"
        ),
        .executableTarget(
            name: "WebExample",
            dependencies: [
                "WebBankAPI", "SQLiteDriver", "PostgresDriver", "VersionedORMServiceLifecycle",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/WebExample/Server"
        ),
        .testTarget(
            name: "VersionedORMTests",
            // The drivers for their dialects only: these tests render SQL and open no database.
            dependencies: ["VersionedORM", "VersionedORMMacros", "SQLiteDriver", "PostgresDriver", "VersionedORMHTTP"]
        ),
        .testTarget(
            name: "VersionedORMMacroTests",
            dependencies: [
                "VersionedORMMacroPlugin",
                .product(name: "MacroTesting", package: "swift-macro-testing"),
                .product(name: "SwiftSyntaxMacroExpansion", package: "swift-syntax"),
            ]
        ),
        .testTarget(
            name: "BehaviourTests",
            dependencies: [
                "VersionedORM", "VersionedORMMacros", "SQLiteDriver", "PostgresDriver",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                "VersionedORMHTTP", "VersionedORMServiceLifecycle", "WebBankAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "VersionedORMTracing", "VersionedORMTesting",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Clocks", package: "swift-clocks"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
