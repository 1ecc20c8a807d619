import PostgresDriver
import SQLiteDriver
import Testing
import VersionedORM

/// The two real dialects render the same query; no database involved.
@Suite struct DialectTests {
    private let query = Item.where { $0.count >= 10 && $0.note == nil }.order { [$0.id.descending] }.limit(3)

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
