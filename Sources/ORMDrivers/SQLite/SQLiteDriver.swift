import VersionedORM

/// The SQLite driver: one database file in WAL mode with one writer and a pool of read-only readers, or an
/// in-memory database on a single connection.
/// Not public: applications open databases with the `Database` factory methods below.
package struct SQLiteDriver: DatabaseDriver {
    /// The file path, or `":memory:"` for a private in-memory database.
    package let path: String
    package let configuration: SQLiteConfiguration

    package init(path: String, configuration: SQLiteConfiguration = SQLiteConfiguration()) {
        self.path = path
        self.configuration = configuration
    }

    var isInMemory: Bool { path == ":memory:" || path.isEmpty }

    package var dialect: any SQLDialect { SQLiteDialect() }

    /// SQLite has one write lock for the whole database: a write transaction holds every row.
    package var writeLockScope: WriteLockScope { .database }

    /// NOWAIT on SQLite, decided here for both halves: within the process the single writer connection is the
    /// write lock, so a transaction that must not wait gets it idle or fails at once; across processes its
    /// BEGIN IMMEDIATE runs with no busy timeout (`SQLiteConnection.transactionWillBegin`). Both fail alike.
    package func connectionWait(for options: TransactionOptions) -> ConnectionWait {
        options.readOnly || options.waitForWriteLock ? .wait : .failIfBusy(SQLiteErrorMapping.writeLockHeld())
    }

    package var topology: PoolTopology {
        isInMemory ? .single : .writerAndReaders(readers: max(1, configuration.readerCount))
    }

    package func openConnection(role: ConnectionRole) throws -> any DatabaseConnection {
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
