import Foundation
import Testing
import VersionedORM
import VersionedORMMacros

@Model(table: "shelves")
struct Shelf: Equatable {
    let id: Int64?
    @Unique var code: String
    var version: Int64 = 0
}

@Model(table: "shelf_items")
struct ShelfItem: Equatable {
    static let indexes = [TableIndex<ShelfItem>(\.shelfID, \.position, unique: true)]

    let id: Int64?
    @References(Shelf.self, onDelete: .cascade) var shelfID: Int64
    var position: Int64
    @Indexed @ColumnDefault("it's a \\ default") var label: String
    @ColumnDefault(7) var quantity: Int64
    @ColumnDefault(true) var visible: Bool
    var version: Int64 = 0
}

/// A reference that cannot be SET NULL: the column is not optional.
@Model(table: "orphans")
struct Orphan {
    let id: Int64?
    @References(Shelf.self, onDelete: .setNull) var shelfID: Int64
    var version: Int64 = 0
}

/// A reference from a text column to an integer key.
@Model(table: "mismatched")
struct Mismatched {
    let id: Int64?
    @References(Shelf.self) var shelfCode: String
    var version: Int64 = 0
}

/// What `createTable` declares beyond types, enforced by both databases.
@Suite struct SchemaConstraintTests {
    @Test(arguments: Backend.allCases)
    func uniqueColumnsAndIndexesRefuseDuplicatesAndWriteNothing(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let shelf = try await Self.createShelfTables(db)
            let duplicateCode = await #expect(throws: DatabaseError.self) {
                try await db.write { tx in var copy = Shelf(code: "A1"); try tx.insert(&copy) }
            }
            #expect(duplicateCode?.kind == .uniqueViolation)
            try await db.write { tx in
                var item = ShelfItem(shelfID: try #require(shelf.id), position: 1, label: "x", quantity: 1, visible: true)
                try tx.insert(&item)
            }
            let duplicatePosition = await #expect(throws: DatabaseError.self) {
                try await db.write { tx in
                    var item = ShelfItem(shelfID: try #require(shelf.id), position: 1, label: "y", quantity: 2, visible: true)
                    try tx.insert(&item)
                }
            }
            #expect(duplicatePosition?.kind == .uniqueViolation)
            #expect(try await db.read { tx in try Shelf.all().count(tx) } == 1)
            #expect(try await db.read { tx in try ShelfItem.all().count(tx) } == 1)
            #expect(try await Self.indexNames(db, backend).isSuperset(of: [
                "shelf_items_label_idx", "shelf_items_shelfID_position_key",
            ]))
        }
    }

    @Test(arguments: Backend.allCases)
    func defaultsFillWhatOtherSQLLeavesOut(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let shelf = try await Self.createShelfTables(db)
            let shelfID = try #require(shelf.id)
            try await db.write { tx in
                try tx.execute("""
                    INSERT INTO \(identifier: "shelf_items") (\(identifier: "shelfID"), \(identifier: "position")) \
                    VALUES (\(shelfID), \(Int64(3)))
                    """)
            }
            let item = try #require(try await db.read { tx in try ShelfItem.all().fetchOne(tx) })
            #expect(item.label == "it's a \\ default")
            #expect(item.quantity == 7)
            #expect(item.visible)
            #expect(item.version == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func referencesRefuseAMissingParentAndCascadeItsDelete(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let shelf = try await Self.createShelfTables(db)
            let missing = await #expect(throws: DatabaseError.self) {
                try await db.write { tx in
                    var item = ShelfItem(shelfID: 999_999, position: 1, label: "x", quantity: 1, visible: true)
                    try tx.insert(&item)
                }
            }
            #expect(missing?.kind == .foreignKeyViolation)
            try await db.write { tx in
                for position in Int64(1)...3 {
                    var item = ShelfItem(shelfID: try #require(shelf.id), position: position, label: "x", quantity: 1,
                                         visible: false)
                    try tx.insert(&item)
                }
            }
            #expect(try await db.read { tx in try ShelfItem.all().count(tx) } == 3)
            try await db.write { tx in try tx.delete(shelf) }
            #expect(try await db.read { tx in try ShelfItem.all().count(tx) } == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func aDeclarationTheDatabaseCannotHoldIsASchemaErrorBeforeAnythingIsSent(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            try await db.write { tx in try tx.createTable(Shelf.self) }
            let sentBefore = log.statements.count
            let setNull = await #expect(throws: SchemaError.self) {
                try await db.write { tx in try tx.createTable(Orphan.self) }
            }
            #expect(setNull?.message.contains("cannot be SET NULL") == true)
            let mismatch = await #expect(throws: SchemaError.self) {
                try await db.write { tx in try tx.createTable(Mismatched.self) }
            }
            #expect(mismatch?.message.contains("references Shelf's integer64 key") == true)
            #expect(!log.statements[sentBefore...].contains { $0.contains("CREATE TABLE") })
        }
    }

    @Test(arguments: Backend.allCases)
    func creatingAgainWithIfNotExistsKeepsTableAndIndexes(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            _ = try await Self.createShelfTables(db)
            try await db.write { tx in
                try tx.createTable(Shelf.self, ifNotExists: true)
                try tx.createTable(ShelfItem.self, ifNotExists: true)
            }
            #expect(try await db.read { tx in try Shelf.all().count(tx) } == 1)
            #expect(try await Self.indexNames(db, backend).contains("shelf_items_label_idx"))
        }
    }

    /// Both tables and one shelf, `A1`.
    private static func createShelfTables(_ db: Database) async throws -> Shelf {
        try await db.write { tx in
            try tx.createTable(Shelf.self)
            try tx.createTable(ShelfItem.self)
            var shelf = Shelf(code: "A1")
            try tx.insert(&shelf)
            return shelf
        }
    }

    private static func indexNames(_ db: Database, _ backend: Backend) async throws -> Set<String> {
        let query: SQL = switch backend {
        case .sqlite: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'shelf_items'"
        case .postgres: "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'shelf_items'"
        }
        return try await db.read { tx in
            Set(try tx.fetchRows(query).compactMap { row in if case .text(let name)? = row.first { name } else { nil } })
        }
    }
}
