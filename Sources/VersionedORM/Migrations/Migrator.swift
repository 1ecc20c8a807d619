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
/// Several processes may run the same migrator at once (every instance of a service at start-up): each
/// migration's transaction inserts its record before running the migration, and the record's primary key
/// lets only one transaction have it — on PostgreSQL the others wait for that transaction and then skip the
/// step, on SQLite write transactions take turns and see the record. A migration that fails rolls back with
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
        do {
            return try await database.write { tx in
                let done = try tx.fetchValue(Int64.self, """
                    SELECT COUNT(*) FROM \(identifier: table) WHERE \(identifier: "name") = \(migration.name)
                    """) ?? 0
                guard done == 0 else { return false }
                // The record first: a concurrent runner's INSERT of the same name waits here for this transaction.
                try tx.execute("""
                    INSERT INTO \(identifier: table) (\(identifier: "name"), \(identifier: "position"), \(identifier: "applied_at")) \
                    VALUES (\(migration.name), \(Int64(position)), \(appliedAt))
                    """)
                try migration.body(tx)
                return true
            }
        } catch let error as DatabaseError where error.kind == .uniqueViolation {
            // Another runner applied it between this one's check and its insert; what it recorded is the truth.
            guard try await self.applied(database).contains(migration.name) else { throw error }
            return false
        }
    }

    private func createRecordTable(_ database: Database) async throws {
        let table = self.table
        do {
            try await database.write { tx in
                try tx.execute("""
                    CREATE TABLE IF NOT EXISTS \(identifier: table) (\(identifier: "name") VARCHAR(200) PRIMARY KEY, \
                    \(identifier: "position") BIGINT NOT NULL, \(identifier: "applied_at") BIGINT NOT NULL)
                    """)
            }
        } catch let error as DatabaseError where error.kind == .uniqueViolation {
            // PostgreSQL: two runners created the table at once (its row type collides); the other one's is
            // there now, and the record's own checks follow.
        }
    }
}
