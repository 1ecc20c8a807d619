import VersionedORM

extension Database {
    /// Opens (creating if needed) a SQLite database file and its writer connection.
    ///
    /// ```swift
    /// let db = try await Database.sqlite(path: "bank.sqlite")
    /// ```
    public static func sqlite(path: String, configuration: SQLiteConfiguration = SQLiteConfiguration()) async throws -> Database {
        let database = Database(driver: SQLite3Driver(path: path, configuration: configuration),
                                configuration: configuration.database)
        try await database.connect()
        return database
    }

    /// A private in-memory SQLite database on one connection; it disappears when closed.
    public static func sqliteInMemory(configuration: SQLiteConfiguration = SQLiteConfiguration()) async throws -> Database {
        try await sqlite(path: ":memory:", configuration: configuration)
    }
}
