import VersionedORM

/// The PostgreSQL driver: a pool of interchangeable libpq connections, each confined to its own lane.
/// Not public: applications open databases with `Database.postgres(url:configuration:)`. Not called `PostgresDriver`,
/// so the module name `PostgresDriver` qualifies its types (`PostgresDriver.PostgresDialect` beside PostgresKit's)
/// everywhere.
package struct LibPQDriver: DatabaseDriver {
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
