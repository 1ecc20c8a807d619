import VersionedORM

/// The SQLite driver: one database file in WAL mode with one writer and a pool of read-only readers, or an
/// in-memory database on a single connection.
/// Not public: applications open databases with `Database.sqlite(path:configuration:)`. Not called `SQLiteDriver`, so
/// the module name `SQLiteDriver` qualifies its types (`SQLiteDriver.SQLiteDialect` beside sql-kit's) everywhere.
package struct SQLite3Driver: DatabaseDriver {
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
