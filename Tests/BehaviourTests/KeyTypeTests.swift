import Foundation
import Testing
import VersionedORMMacros

/// Keys the client chooses (UUID, a String natural key) keep every rule of the database-generated Int64 key.
@Suite struct KeyTypeTests {
    @Test(arguments: Backend.allCases)
    func aUUIDKeyIsInsertedAsGivenFoundByItsOwnTypeAndVersionChecked(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let token = UUID()
            let inserted = try await db.write { tx in
                try tx.createTable(DeviceSession.self)
                var session = DeviceSession(sessionToken: token, user: "ada", theme: "dark", lastSeenAt: nil)
                try tx.insert(&session)
                return session
            }
            #expect(inserted.sessionToken == token)
            #expect(inserted.lockVersion == 1)
            let found = try await db.read { tx in try tx.find(DeviceSession.self, id: token) }
            #expect(found == inserted)
            #expect(try await db.read { tx in try tx.find(DeviceSession.self, id: UUID()) } == nil)

            // Two copies: the first save wins, the second is stale and carries the UUID in its own type.
            var first = inserted, second = inserted
            try await write(db, &first) { tx, value in value.theme = "light"; try tx.save(&value) }
            let stale = await expectStale { try await write(db, &second) { tx, value in value.theme = "blue"; try tx.save(&value) } }
            #expect(stale?.primaryKey.value(as: UUID.self) == token)
            #expect(stale?.primaryKey == AnyPrimaryKey(token))
            #expect(stale?.current == .modified(currentVersion: 2))
            #expect(second == inserted, "a failed write leaves the value as it was")

            // touch and delete follow the same rule; a deleted row is reported as deleted.
            let touchedStale = await expectStale { try await write(db, &second) { tx, value in try tx.touch(&value) } }
            #expect(touchedStale?.operation == .touch)
            try await db.write { [first] tx in try tx.delete(first) }
            let gone = await expectStale { try await write(db, &first) { tx, value in try tx.update(&value) { $0.theme = "x" } } }
            #expect(gone?.current == .deleted)
        }
    }

    @Test(arguments: Backend.allCases)
    func aStringNaturalKeyCannotBeInsertedTwiceAndModifyTakesIt(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await db.write { tx in
                try tx.createTable(Country.self)
                var france = Country(code: "FR", name: "France", population: 68_000_000)
                try tx.insert(&france)
                #expect(france.version == 1)
            }
            await #expect(throws: DatabaseError.self) {
                try await db.write { tx in
                    var again = Country(code: "FR", name: "Francia", population: 1)
                    try tx.insert(&again)
                }
            }
            let modified = try await db.modify(Country.self, id: "FR", using: .optimistic(retry: RetryPolicy())) {
                $0.population += 1
            }
            #expect(modified.value.population == 68_000_001)
            #expect(modified.value.version == 2)
            await #expect(throws: ModificationError.notFound(model: "Country", id: "DE")) {
                _ = try await db.modify(Country.self, id: "DE", using: .pessimistic(.wait)) { $0.population += 1 }
            }
            let byQuery = try await db.read { tx in try Country.where { $0.code == "FR" }.fetchOne(tx) }
            #expect(byQuery?.name == "France")
        }
    }

    @Test func aTextKeyIsNotPrintedInMessagesButIntegerAndUUIDKeysAre() {
        let text = StaleRecordError(model: "Country", table: "countries", primaryKey: "ada@example.com",
                                    expectedVersion: 1, current: .deleted, operation: .save)
        #expect(!text.description.contains("ada@example.com"))
        #expect(text.primaryKey.value(as: String.self) == "ada@example.com")
        let uuid = UUID()
        #expect(AnyPrimaryKey(uuid).description == uuid.uuidString)
        #expect(AnyPrimaryKey(Int64(7)).description == "7")
        // The same value in two types is two different keys.
        #expect(AnyPrimaryKey(Int64(7)) != AnyPrimaryKey(Int(7)))
    }

    @Test(arguments: Backend.allCases)
    func swappedReadsOfTheSameTypeThrowInsteadOfDecodingEachIntoTheOther(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            _ = try await seedAccounts(db, balances: [5])
            await #expect(throws: RowDecodingError.self) {
                _ = try await db.read { tx in try SwappedAccount.all().fetchAll(tx) }
            }
            // Order's checked reads are in schema order and decode.
            let order = try await db.write { tx in
                try tx.createTable(Order.self)
                var order = Order(group: "g", select: 1)
                try tx.insert(&order)
                return try tx.find(Order.self, id: try #require(order.key))
            }
            #expect(order?.group == "g")
        }
    }
}
