import Testing
@testable import VersionedORM

/// The exact statements each write sends, with a fake connection that answers what the test scripts.
@Suite struct PersistenceStatementTests {
    private func run<T: Sendable>(_ script: Script, _ body: @escaping @Sendable (Transaction) throws -> T) async throws -> T {
        let database = Database(driver: FakeDriver(script: script))
        return try await database.write(body)
    }

    private let loaded = Item(id: 7, name: "bolt", count: 3, version: 4)

    @Test func insertWritesVersionOneAndReadsTheKeyBack() async throws {
        let script = Script()
        script.answer(.init(rows: [[.integer(42)]], changed: 1))
        let inserted = try await run(script) { tx in
            var item = Item(id: nil, name: "nut", count: 1, version: 0)
            try tx.insert(&item)
            return item
        }
        #expect(inserted.id == 42 && inserted.version == 1)
        #expect(script.dataStatements == [RenderedSQL(
            text: "INSERT INTO [items] ([name], [count], [note], [version]) VALUES (:p1, :p2, :p3, 1) RETURNING [id]",
            binds: [.text("nut"), .integer(1), .null])])
    }

    @Test func saveWritesEveryColumnAndChecksTheVersion() async throws {
        let script = Script()
        script.answer(.init(changed: 1))
        let saved = try await run(script) { [loaded] tx in var item = loaded; try tx.save(&item); return item }
        #expect(saved.version == 5)
        #expect(script.dataStatements == [RenderedSQL(
            text: "UPDATE [items] SET [name] = :p1, [count] = :p2, [note] = :p3, [version] = [version] + 1 WHERE [id] = :p4 AND [version] = :p5",
            binds: [.text("bolt"), .integer(3), .null, .integer(7), .integer(4)])])
        #expect(script.sent.first?.text == "BEGIN WRITE")
        #expect(script.sent.last?.text == "COMMIT")
    }

    @Test func updateSendsOnlyChangedColumnsAndNothingWhenNothingChanged() async throws {
        let script = Script()
        script.answer(.init(changed: 1))
        let (changed, unchanged) = try await run(script) { [loaded] tx in
            var item = loaded
            try tx.update(&item) { $0.count += 1 }
            var same = item
            try tx.update(&same) { $0.name = "bolt" }
            return (item, same)
        }
        #expect(changed.count == 4 && changed.version == 5)
        #expect(unchanged == changed)
        #expect(script.dataStatements == [RenderedSQL(
            text: "UPDATE [items] SET [count] = :p1, [version] = [version] + 1 WHERE [id] = :p2 AND [version] = :p3",
            binds: [.integer(4), .integer(7), .integer(4)])])
    }

    @Test func zeroRowsChangedIsStaleAndTheSecondLookTellsModifiedFromDeleted() async throws {
        let script = Script()
        script.answer(.init(changed: 0), .init(rows: [[.integer(9)]]), .init(changed: 0), .init(rows: []))
        let outcome = try await run(script) { [loaded] tx -> [String] in
            var results: [String] = []
            for _ in 0..<2 {
                var item = loaded
                do {
                    try tx.update(&item) { $0.count = 100 }
                    results.append("saved")
                } catch let error as StaleRecordError {
                    results.append("\(error.current)")
                    if item != loaded { results.append("value changed") }
                }
            }
            return results
        }
        #expect(outcome == ["modified (now version 9)", "deleted"])
        #expect(script.dataStatements.map(\.text) == [
            "UPDATE [items] SET [count] = :p1, [version] = [version] + 1 WHERE [id] = :p2 AND [version] = :p3",
            "SELECT [version] FROM [items] WHERE [id] = :p1",
            "UPDATE [items] SET [count] = :p1, [version] = [version] + 1 WHERE [id] = :p2 AND [version] = :p3",
            "SELECT [version] FROM [items] WHERE [id] = :p1",
        ])
    }

    @Test func deleteAndTouchAreVersionChecked() async throws {
        let script = Script()
        script.answer(.init(changed: 1), .init(changed: 1))
        let touched = try await run(script) { [loaded] tx in
            var item = loaded
            try tx.touch(&item)
            try tx.delete(item)
            return item
        }
        #expect(touched.version == 5)
        #expect(script.dataStatements == [
            RenderedSQL(text: "UPDATE [items] SET [version] = [version] + 1 WHERE [id] = :p1 AND [version] = :p2",
                        binds: [.integer(7), .integer(4)]),
            RenderedSQL(text: "DELETE FROM [items] WHERE [id] = :p1 AND [version] = :p2", binds: [.integer(7), .integer(5)]),
        ])
    }

    @Test func moreThanOneRowChangedIsReportedNotIgnored() async throws {
        let script = Script()
        script.answer(.init(changed: 2))
        await #expect(throws: PersistenceError.unexpectedRowCount(model: "Item", operation: .save, count: 2)) {
            try await run(script) { [loaded] tx in var item = loaded; try tx.save(&item) }
        }
        #expect(script.sent.last?.text == "ROLLBACK")
    }

    @Test func aNegativeVersionIsRefused() async throws {
        let script = Script()
        var corrupt = loaded
        corrupt.version = -3
        await #expect(throws: PersistenceError.invalidVersion(model: "Item", version: -3)) {
            try await run(script) { [corrupt] tx in var item = corrupt; try tx.save(&item) }
        }
        #expect(script.dataStatements.isEmpty)
    }

    @Test func createTableDeclaresTheVersionColumnNotNullDefaultOne() async throws {
        let script = Script()
        script.answer(.init(), .init(rows: [[.integer(0)]]), .init())
        try await run(script) { tx in
            try tx.createTable(Item.self, ifNotExists: true)
            try tx.addVersionColumn(to: Item.self)
        }
        #expect(script.dataStatements.map(\.text) == [
            "CREATE TABLE IF NOT EXISTS [items] ([id] SERIAL_KEY, [name] T_text NOT NULL, [count] T_integer64 NOT NULL, [note] T_text, [version] T_integer64 NOT NULL DEFAULT 1)",
            "HAS_COLUMN :p1 :p2",
            "ALTER TABLE [items] ADD COLUMN [version] T_integer64 NOT NULL DEFAULT 1",
        ])
    }

    @Test func aReadTransactionOpensReadOnlyAndRefusesLibraryWrites() async throws {
        let script = Script()
        let database = Database(driver: FakeDriver(script: script))
        await #expect(throws: UsageError.writeInReadTransaction("touch")) {
            try await database.read { [loaded] tx in var item = loaded; try tx.touch(&item) }
        }
        #expect(script.sent.map(\.text) == ["BEGIN READ", "ROLLBACK"])
    }
}
