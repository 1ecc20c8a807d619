import PostgresDriver
import SQLiteDriver
import Testing
import VersionedORM

/// The two real dialects render the same query; no database involved.
@Suite struct DialectTests {
    private let query = Item.where { $0.count >= 10 && $0.note == nil }.order { [$0.id.descending] }.limit(3)

    /// An application that also imports sql-kit's drivers (which have their own `SQLiteDialect` and
    /// `PostgresDialect`) qualifies ours by module; no type may share a module's name, or the qualification
    /// would name the type instead. This file compiles only while that holds (the drivers' package types are
    /// visible here, so this is the strictest place to check).
    @Test func moduleQualifiedNamesResolve() throws {
        let postgres: any SQLDialect = PostgresDriver.PostgresDialect()
        let sqlite: any SQLDialect = SQLiteDriver.SQLiteDialect()
        let core: VersionedORM.RetryPolicy = .never
        #expect(postgres.beginTransactionSQL(.readWrite) != sqlite.beginTransactionSQL(.readWrite))
        #expect(core.maxAttempts == 1)
    }

    @Test func sqliteUsesQuestionMarksAndImmediateWrites() throws {
        let dialect = SQLiteDialect()
        let rendered = try dialect.render(query.selectSQL(columns: "*"))
        #expect(rendered.text == "SELECT * FROM \"items\"\nWHERE ((\"count\" >= ?) AND (\"note\" IS NULL))\nORDER BY \"id\" DESC\nLIMIT ?")
        #expect(rendered.binds == [.integer(10), .integer(3)])
        #expect(dialect.beginTransactionSQL(.readWrite) == "BEGIN IMMEDIATE")
        #expect(dialect.beginTransactionSQL(.readOnly) == "BEGIN DEFERRED")
        #expect(dialect.generatedPrimaryKeyDeclaration == "INTEGER PRIMARY KEY AUTOINCREMENT")
    }

    @Test func postgresNumbersPlaceholdersAndSpellsIsolation() throws {
        let dialect = PostgresDialect()
        let rendered = try dialect.render(query.selectSQL(columns: "*"))
        #expect(rendered.text == "SELECT * FROM \"items\"\nWHERE ((\"count\" >= $1) AND (\"note\" IS NULL))\nORDER BY \"id\" DESC\nLIMIT $2")
        #expect(dialect.beginTransactionSQL(.readWrite) == "BEGIN READ WRITE")
        #expect(dialect.beginTransactionSQL(.readOnly) == "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        #expect(dialect.beginTransactionSQL(TransactionOptions(isolation: .serializable)) == "BEGIN ISOLATION LEVEL SERIALIZABLE READ WRITE")
        #expect(dialect.columnTypeSQL(for: .timestamp) == "TIMESTAMPTZ")
    }
}
