import VersionedORM

/// Settings of a PostgreSQL database.
public struct PostgresConfiguration: Sendable {
    /// A libpq connection URI (`postgresql://user@host:5432/db?sslmode=require`) or key/value conninfo string
    /// (`host=/tmp port=5432 dbname=app`). Empty means libpq's defaults and environment variables (PGHOST,
    /// PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, …), which also fill in whatever the string leaves out.
    public var connectionString: String
    /// Connection parameters that override the string's, by libpq keyword (`["application_name": "api"]`,
    /// `["options": "-c search_path=tenant1"]`).
    public var parameters: [String: String]
    /// Settings shared by every driver: logging, tracing, how long to wait for a free connection.
    public var database: DatabaseConfiguration
    /// The number of connections in the pool; each one is opened on first use.
    public var poolSize: Int
    /// The number of named prepared statements each connection keeps; beyond it they are all deallocated.
    public var statementCacheCapacity: Int

    public init(
        connectionString: String = "",
        parameters: [String: String] = [:],
        database: DatabaseConfiguration = DatabaseConfiguration(),
        poolSize: Int = 8,
        statementCacheCapacity: Int = 256
    ) {
        self.connectionString = connectionString
        self.parameters = parameters
        self.database = database
        self.poolSize = poolSize
        self.statementCacheCapacity = statementCacheCapacity
    }
}
