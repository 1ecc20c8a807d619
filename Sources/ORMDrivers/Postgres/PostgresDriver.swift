import VersionedORM

/// The PostgreSQL driver: a pool of interchangeable libpq connections, each confined to its own lane.
/// Not public: applications open databases with the `Database` factory methods below.
package struct PostgresDriver: DatabaseDriver {
    package let configuration: PostgresConfiguration

    package init(configuration: PostgresConfiguration) {
        self.configuration = configuration
    }

    package var dialect: any SQLDialect { PostgresDialect() }

    package var writeLockScope: WriteLockScope { .rows }

    /// Row locks: NOWAIT is a clause of the locking query (`forUpdate(.noWait)`), not a matter of connections.
    package func connectionWait(for options: TransactionOptions) -> ConnectionWait { .wait }

    package var topology: PoolTopology {
        guard configuration.replicaConnectionString != nil else { return .shared(size: max(1, configuration.poolSize)) }
        return .primaryAndReplicas(primary: max(1, configuration.poolSize), replicas: max(1, configuration.replicaPoolSize))
    }

    package func openConnection(role: ConnectionRole) throws -> any DatabaseConnection {
        try PostgresConnection(configuration: configuration, role: role)
    }
}

extension Database {
    /// Connects to PostgreSQL and opens the first pooled connection, so a wrong address or password surfaces here.
    ///
    /// ```swift
    /// let db = try await Database.postgres(url: "postgresql://app@localhost/bank")
    /// ```
    public static func postgres(url: String, configuration: PostgresConfiguration = PostgresConfiguration()) async throws -> Database {
        var configuration = configuration
        configuration.connectionString = url
        return try await postgres(configuration: configuration)
    }

    public static func postgres(configuration: PostgresConfiguration) async throws -> Database {
        let database = Database(driver: PostgresDriver(configuration: configuration), configuration: configuration.database)
        try await database.connect()
        return database
    }
}
