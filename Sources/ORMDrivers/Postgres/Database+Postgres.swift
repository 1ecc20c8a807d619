import VersionedORM

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

    /// Connects where ``PostgresConfiguration/connectionString`` says and opens the first pooled connection, so a
    /// wrong address or password surfaces here.
    public static func postgres(configuration: PostgresConfiguration) async throws -> Database {
        let database = Database(driver: LibPQDriver(configuration: configuration), configuration: configuration.database)
        try await database.connect()
        return database
    }
}
