import VersionedORM

/// The SQLite driver: one database file in WAL mode with one writer and a pool of read-only readers, or an
/// in-memory database on a single connection.
public struct SQLiteDriver: DatabaseDriver {
    /// The file path, or `":memory:"` for a private in-memory database.
    public let path: String
    public let configuration: SQLiteConfiguration

    public init(path: String, configuration: SQLiteConfiguration = SQLiteConfiguration()) {
        self.path = path
        self.configuration = configuration
    }

    var isInMemory: Bool { path == ":memory:" || path.isEmpty }

    public var dialect: any SQLDialect { SQLiteDialect() }

    /// SQLite has one write lock for the whole database: a write transaction holds every row.
    public var writeLockScope: WriteLockScope { .database }

    public var topology: PoolTopology {
        isInMemory ? .single : .writerAndReaders(readers: max(1, configuration.readerCount))
    }

    public func openConnection(role: ConnectionRole) throws -> any DatabaseConnection {
        try SQLiteConnection(path: isInMemory ? ":memory:" : path, role: role, inMemory: isInMemory,
                             configuration: configuration)
    }
}

extension Database {
    /// Opens (creating if needed) a SQLite database file and its writer connection.
    ///
    /// ```swift
    /// let db = try await Database.sqlite(path: "bank.sqlite")
    /// ```
    public static func sqlite(path: String, configuration: SQLiteConfiguration = SQLiteConfiguration()) async throws -> Database {
        let database = Database(driver: SQLiteDriver(path: path, configuration: configuration),
                                configuration: configuration.database)
        try await database.connect()
        return database
    }

    /// A private in-memory SQLite database on one connection; it disappears when closed.
    public static func sqliteInMemory(configuration: SQLiteConfiguration = SQLiteConfiguration()) async throws -> Database {
        try await sqlite(path: ":memory:", configuration: configuration)
    }
}
