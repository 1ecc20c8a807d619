import Foundation

/// Applies an ordered list of ``Migration``s to a database, each once, each in its own transaction, and
/// records them in a table of its own (`versioned_orm_migrations` by default).
///
/// ```swift
/// let migrator = try Migrator([
///     Migration("create accounts") { tx in try tx.createTable(Account.self) },
///     Migration("add the version column to invoices") { tx in try tx.addVersionColumn(to: Invoice.self) },
/// ])
/// let applied = try await migrator.migrate(db)     // the names applied by this call, in order
/// ```
///
/// Several processes may run the same migrator at once (every instance of a service at start-up): every
/// transaction the migrator opens first takes the dialect's transaction lock for its table
/// (``SQLDialect/transactionLockQuery(named:)``: an advisory lock on PostgreSQL; SQLite's write transactions
/// take turns anyway), so runners create the record table and apply each step one at a time, and each
/// re-reads the record under the lock and skips what another applied. A migration that fails rolls back with
/// its record, so the next run tries it again. The record must list migrations in the migrator's order and
/// know no other: anything else is a ``MigrationError`` and nothing runs.
public struct Migrator: Sendable {
    /// The table that records applied migrations unless another is named.
    public static let defaultTable = "versioned_orm_migrations"

    /// The migrations, in the order they apply.
    public let migrations: [Migration]
    /// The table that records them.
    public let table: String

    /// A migrator for `migrations`; throws ``MigrationError/invalidName(_:)`` for a duplicate, empty or overlong
    /// name and ``SchemaError`` for a table name that is not a valid identifier.
    public init(table: String = Migrator.defaultTable, _ migrations: [Migration]) throws {
        try Identifier.validate(table)
        var seen = Set<String>()
        for migration in migrations {
            guard !migration.name.isEmpty, migration.name.count <= 200, seen.insert(migration.name).inserted else {
                throw MigrationError.invalidName(migration.name)
            }
        }
        self.table = table
        self.migrations = migrations
    }

    /// Applies every migration not yet recorded, in order, and returns the names this call applied.
    @discardableResult
    public func migrate(_ database: Database) async throws -> [String] {
        try await createRecordTable(database)
        let recorded = try await applied(database)
        try check(recorded)
        var applied: [String] = []
        for (position, migration) in migrations.enumerated().dropFirst(recorded.count) {
            if try await apply(migration, at: position, database) { applied.append(migration.name) }
        }
        return applied
    }

    /// The names the database records as applied, in the order they were.
    public func applied(_ database: Database) async throws -> [String] {
        let table = self.table
        return try await database.read { tx in
            try tx.fetchRows("SELECT \(identifier: "name") FROM \(identifier: table) ORDER BY \(identifier: "position")")
                .compactMap { row in if case .text(let name)? = row.first { name } else { nil } }
        }
    }

    private func check(_ recorded: [String]) throws {
        let known = Set(migrations.map(\.name))
        if let unknown = recorded.first(where: { !known.contains($0) }) { throw MigrationError.unknownMigration(unknown) }
        for (recordedName, migration) in zip(recorded, migrations) where recordedName != migration.name {
            throw MigrationError.outOfOrder(recorded: recordedName, expected: migration.name)
        }
    }

    /// Runs one migration with its record in one transaction; false when another runner had recorded it.
    private func apply(_ migration: Migration, at position: Int, _ database: Database) async throws -> Bool {
        let table = self.table
        let appliedAt = Int64(Date().timeIntervalSince1970)
        return try await database.write { tx in
            try takeTurn(tx)
            let done = try tx.fetchValue(Int64.self, """
                SELECT COUNT(*) FROM \(identifier: table) WHERE \(identifier: "name") = \(migration.name)
                """) ?? 0
            guard done == 0 else { return false }
            try tx.execute("""
                INSERT INTO \(identifier: table) (\(identifier: "name"), \(identifier: "position"), \(identifier: "applied_at")) \
                VALUES (\(migration.name), \(Int64(position)), \(appliedAt))
                """)
            try migration.body(tx)
            return true
        }
    }

    private func createRecordTable(_ database: Database) async throws {
        let table = self.table
        try await database.write { tx in
            // Without the turn, two PostgreSQL runners' CREATE TABLE IF NOT EXISTS can both find no table and
            // the slower one fails on the catalog (42710 or 23505 on the row type), which is no error of ours.
            try takeTurn(tx)
            try tx.execute("""
                CREATE TABLE IF NOT EXISTS \(identifier: table) (\(identifier: "name") VARCHAR(200) PRIMARY KEY, \
                \(identifier: "position") BIGINT NOT NULL, \(identifier: "applied_at") BIGINT NOT NULL)
                """)
        }
    }

    /// Waits until no other runner of a migrator on this table is inside a transaction; holds the turn until
    /// this transaction ends.
    private func takeTurn(_ tx: Transaction) throws {
        if let lock = tx.dialect.transactionLockQuery(named: "versioned_orm.migrator." + table) { try tx.execute(lock) }
    }
}
