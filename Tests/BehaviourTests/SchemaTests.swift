import Foundation
import Testing
import VersionedORM

@Suite struct SchemaTests {
    @Test(arguments: Backend.allCases)
    func reservedWordsAndACustomVersionColumnWork(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            let inserted = try await db.write { tx in
                try tx.createTable(Order.self)
                var order = Order(group: "g", select: 1)
                try tx.insert(&order)
                return order
            }
            #expect(inserted.lockVersion == 1)
            let updated = try await db.write { tx in var copy = inserted; try tx.update(&copy) { $0.select = 2 }; return copy }
            #expect(updated.lockVersion == 2)
            #expect(log.statements.contains { $0.contains("\"lock_version\" = \"lock_version\" + 1") })
            let stale = await expectStale {
                try await db.write { tx in var copy = inserted; try tx.update(&copy) { $0.group = "h" } }
            }
            #expect(stale?.current == .modified(currentVersion: 2))
            let found = try await db.read { tx in
                try Order.where { $0.group == "g" && $0.select >= 2 }.order { [$0.key.descending] }.fetchAll(tx)
            }
            #expect(found == [updated])
            try await db.write { tx in try tx.delete(updated) }
            #expect(try await db.read { tx in try Order.all().exists(tx) } == false)
        }
    }

    @Test(arguments: Backend.allCases)
    func legacyRowsGetVersionOneWhenTheColumnIsAdded(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await db.write { tx in
                try tx.execute("CREATE TABLE \(identifier: "legacy_items") (\(identifier: "id") INTEGER PRIMARY KEY, \(identifier: "name") TEXT NOT NULL)")
                try tx.execute("INSERT INTO \(identifier: "legacy_items") (\(identifier: "id"), \(identifier: "name")) VALUES (\(1), \("one")), (\(2), \("two"))")
            }
            let added = try await db.write { tx in try tx.addVersionColumn(to: LegacyItem.self) }
            #expect(added)
            let again = try await db.write { tx in try tx.addVersionColumn(to: LegacyItem.self) }
            #expect(!again)
            let items = try await db.read { tx in try LegacyItem.all().order { [$0.id.ascending] }.fetchAll(tx) }
            #expect(items.map(\.version) == [1, 1])
            #expect(items.map(\.name) == ["one", "two"])
            let saved = try await db.write { tx in var copy = items[0]; try tx.update(&copy) { $0.name = "uno" }; return copy }
            #expect(saved.version == 2)
            let stale = await expectStale {
                try await db.write { tx in var copy = items[0]; try tx.update(&copy) { $0.name = "eins" } }
            }
            #expect(stale?.current == .modified(currentVersion: 2))
        }
    }

    @Test(arguments: Backend.allCases)
    func everyColumnTypeRoundTrips(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            // Microsecond precision: the date has a whole number of microseconds, before and after 1970.
            let date = Date(timeIntervalSince1970: 1_790_000_000.123456)
            let early = Date(timeIntervalSince1970: -86_400 * 365 * 50 - 0.5)
            let full = Sample(
                flag: true, int: Int.max, int32: Int32.min, int64: Int64.min, double: -1.5e300,
                text: "héllo ✓ \"quoted\" 'single' \\ back", data: Data([0, 1, 2, 255]), date: date,
                uuid: UUID(), tier: .gold, optionalFlag: false, optionalInt: -1, optionalInt32: 7,
                optionalInt64: 1 << 62, optionalDouble: 0.1, optionalText: "", optionalData: Data(),
                optionalDate: early, optionalUUID: UUID())
            let empty = Sample(flag: false, int: 0, int32: 0, int64: 0, double: 0, text: "", data: Data(),
                               date: early, uuid: UUID(), tier: .bronze)
            let inserted = try await db.write { tx in
                try tx.createTable(Sample.self)
                var first = full
                var second = empty
                try tx.insert(&first)
                try tx.insert(&second)
                return [first, second]
            }
            let loaded = try await db.read { tx in try Sample.all().order { [$0.id.ascending] }.fetchAll(tx) }
            #expect(loaded.count == 2)
            for (stored, written) in zip(loaded, inserted) {
                var comparable = stored
                // Dates come back at microsecond precision; compare them in microseconds.
                #expect(TimestampText.microseconds(since1970: stored.date) == TimestampText.microseconds(since1970: written.date))
                #expect(stored.optionalDate.map(TimestampText.microseconds(since1970:)) == written.optionalDate.map(TimestampText.microseconds(since1970:)))
                comparable.date = written.date
                comparable.optionalDate = written.optionalDate
                #expect(comparable == written)
            }
            #expect(loaded[1].optionalText == nil && loaded[0].optionalText == "")
            #expect(loaded[1].optionalData == nil && loaded[0].optionalData == Data())

            // Values of every type work as filters too, bound rather than pasted.
            let matched = try await db.read { tx in
                try Sample.where {
                    $0.uuid == full.uuid && $0.date == date && $0.data == full.data && $0.flag == true
                        && $0.tier == .gold && $0.optionalText == "" && $0.optionalUUID != nil
                }.count(tx)
            }
            #expect(matched == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func malformedNamesAreRefusedBeforeAnySQLIsSent(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            log.clear()
            await #expect(throws: SchemaError.self) {
                try await db.write { tx in try tx.createTable(BadlyNamed.self) }
            }
            await #expect(throws: SchemaError.self) {
                try await db.write { tx in var value = BadlyNamed(name: "x"); try tx.insert(&value) }
            }
            await #expect(throws: SchemaError.self) {
                try await db.read { tx in try BadlyNamed.all().fetchAll(tx) }
            }
            await #expect(throws: SchemaError.self) {
                try await db.read { tx in try tx.execute("SELECT * FROM \(identifier: "x\"; DROP")") }
            }
            #expect(log.dataStatements.isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func anInitializerThatReadsTheWrongNumberOfColumnsIsReported(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await seedAccounts(db)
            do {
                _ = try await db.read { tx in try ForgetfulAccount.all().fetchAll(tx) }
                Issue.record("decoding succeeded")
            } catch let error as RowDecodingError {
                #expect(error.model == "ForgetfulAccount")
                #expect(error.description.contains("read 3 of the row's 4 values"))
            }
        }
    }
}
