import Foundation
import PostgresDriver
import SQLiteDriver
import Testing
@testable import VersionedORM
import VersionedORMMacros

@Model(table: "tags")
struct Tag {
    let id: Int64?
    @Unique var name: String
    var version: Int64 = 0
}

@Model(table: "a_table_whose_name_is_long_enough_to_matter")
struct LongNamed {
    static let indexes = [TableIndex<LongNamed>(\.firstColumnWithALongName, \.secondColumnWithALongName)]
    let id: Int64?
    @References(Tag.self, onDelete: .cascade) @Indexed var tagID: Int64
    @ColumnDefault(0) var firstColumnWithALongName: Int64
    var secondColumnWithALongName: String?
    var version: Int64 = 0
}

/// The exact DDL `createTable` sends for constraints, through the fake connection.
@Suite struct CreateTableStatementTests {
    @Test func constraintsDefaultsReferencesAndIndexesAreDeclared() async throws {
        let script = Script()
        let database = Database(driver: FakeDriver(script: script))
        try await database.write { tx in try tx.createTable(LongNamed.self) }
        let statements = script.dataStatements.map(\.text)
        #expect(statements.count == 3)
        let table: String = """
            CREATE TABLE [a_table_whose_name_is_long_enough_to_matter] ([id] SERIAL_KEY, \
            [tagID] T_integer64 NOT NULL REFERENCES [tags] ([id]) ON DELETE CASCADE ON UPDATE NO ACTION, \
            [firstColumnWithALongName] T_integer64 NOT NULL DEFAULT LITERAL(integer(0)), \
            [secondColumnWithALongName] T_text, [version] T_integer64 NOT NULL DEFAULT 1)
            """
        let tagIndex: String = """
            CREATE INDEX [a_table_whose_name_is_long_enough_to_matter_tagID_idx] \
            ON [a_table_whose_name_is_long_enough_to_matter] ([tagID])
            """
        #expect(statements.first == table)
        #expect(statements.dropFirst().first == tagIndex)
        // The derived name passes 63 bytes: it is cut and ends in a hash of the whole, so it stays unique and valid.
        let long = try #require(statements.last)
        let name = try #require(long.split(separator: "[").dropFirst().first?.split(separator: "]").first.map(String.init))
        #expect(name.utf8.count <= Identifier.maximumLength)
        #expect(Identifier.problem(with: name) == nil)
        #expect(name.utf8.count == Identifier.maximumLength)
        #expect(name.prefix(55) == "a_table_whose_name_is_long_enough_to_matter_firstColum_")
        let hash = String(name.suffix(8))
        #expect(hash.allSatisfy { $0.isHexDigit })
        #expect(name != ResolvedIndex(columns: ["firstColumnWithALongName", "other"], isUnique: false, name: nil)
            .name(onTable: "a_table_whose_name_is_long_enough_to_matter"))
    }

    @Test func anIndexOverAPropertyThatIsNoColumnIsASchemaProblem() {
        let schema = Schema<Tag>(table: "tags", primaryKey: \.id, version: \.version,
                                 indexes: [TableIndex(\.name), TableIndex(\.name.count)]) {
            Column("name", \.name)
        }
        #expect(schema.problem?.contains("an index names a property that is not a column") == true)
    }

    @Test func literalsQuoteWhatTheyMustAndRefuseWhatHasNone() throws {
        let sqlite = SQLiteDialect()
        let postgres = PostgresDialect()
        #expect(try sqlite.literalSQL(.text("it's \\ here")) == "'it''s \\ here'")
        #expect(try postgres.literalSQL(.text("it's \\ here")) == "E'it''s \\\\ here'")
        #expect(try sqlite.literalSQL(.integer(-5)) == "-5")
        #expect(try postgres.literalSQL(.double(0.1)) == "0.1")
        #expect(try sqlite.literalSQL(.bool(true)) == "1")
        #expect(try postgres.literalSQL(.bool(false)) == "FALSE")
        #expect(try sqlite.literalSQL(.blob(Data([0x00, 0xab]))) == "X'00ab'")
        #expect(try postgres.literalSQL(.blob(Data([0x00, 0xab]))) == "E'\\\\x00ab'")
        #expect(try sqlite.literalSQL(.date(Date(timeIntervalSince1970: 0))) == "'1970-01-01 00:00:00.000000'")
        #expect(throws: SchemaError.self) { try sqlite.literalSQL(.text("a\u{0}b")) }
        #expect(throws: SchemaError.self) { try postgres.literalSQL(.double(.infinity)) }
    }
}
