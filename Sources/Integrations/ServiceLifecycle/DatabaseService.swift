import ServiceLifecycle
import VersionedORM

/// A `Database` as a swift-service-lifecycle `Service`: it runs until the service group shuts down
/// gracefully (or its task is cancelled), then closes the database — transactions in flight finish, new ones
/// are refused with `UsageError.databaseClosed`, and every connection is closed.
///
/// Put it before the services that use the database: a `ServiceGroup` shuts its services down in reverse
/// order, so the HTTP server stops taking requests before the pool closes.
///
/// ```swift
/// let group = ServiceGroup(services: [DatabaseService(db), app], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
public struct DatabaseService: Service {
    /// The database this service closes.
    public let database: Database

    /// A service that closes `database` when the group shuts down.
    public init(_ database: Database) {
        self.database = database
    }

    /// Returns after the graceful shutdown (or cancellation), once the database is closed.
    public func run() async throws {
        // Waits for the graceful shutdown (or cancellation) without holding a thread; either way the pool closes.
        try? await gracefulShutdown()
        await database.close()
    }
}
