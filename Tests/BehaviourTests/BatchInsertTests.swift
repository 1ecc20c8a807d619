import Foundation
import Testing
import VersionedORMMacros

@Suite struct BatchInsertTests {
    @Test(arguments: Backend.allCases)
    func manyValuesGetTheirOwnKeysInOrderAcrossSeveralStatements(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            // More rows than one statement carries (1,000), so the last statement is a short one.
            var accounts = (0..<2_345).map { Account(owner: "owner \($0)", balance: Int64($0)) }
            log.clear()
            try await write(db, &accounts) { tx, accounts in
                try tx.createTable(Account.self)
                try tx.insert(&accounts)
            }
            #expect(log.dataStatements.filter { $0.hasPrefix("INSERT") }.count == 3)
            #expect(accounts.allSatisfy { $0.version == 1 })
            let stored = try await db.read { tx in try Account.order { [$0.id.ascending] }.fetchAll(tx) }
            #expect(stored == accounts, "each value holds the key of the row holding its own columns")
            #expect(Set(accounts.compactMap(\.id)).count == 2_345)
        }
    }

    @Test(arguments: Backend.allCases)
    func valuesWithAndWithoutKeysAndClientChosenKeys(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            var mixed = [Account(owner: "generated", balance: 1), Account(id: 500, owner: "given", balance: 2, note: nil),
                         Account(owner: "generated too", balance: 3)]
            var countries = [Country(code: "FR", name: "France", population: 1), Country(code: "JP", name: "Japan", population: 2)]
            try await db.write { tx in
                try tx.createTable(Account.self)
                try tx.createTable(Country.self)
            }
            try await write(db, &mixed) { tx, values in try tx.insert(&values) }
            try await write(db, &countries) { tx, values in try tx.insert(&values) }
            #expect(mixed.map(\.owner) == ["generated", "given", "generated too"])
            #expect(mixed[1].id == 500)
            let keys = mixed.compactMap(\.id)
            let fetched = try await db.read { tx in try keys.map { try tx.find(Account.self, id: $0) } }
            #expect(fetched == mixed.map { Optional($0) })
            #expect(countries.map(\.version) == [1, 1])
            #expect(try await db.read { tx in try tx.find(Country.self, id: "JP") } == countries[1])
        }
    }

    @Test(arguments: Backend.allCases)
    func aValueThatCannotBeStoredInALaterStatementWritesNothing(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await db.write { tx in try tx.createTable(Sample.self) }
            let good = Sample(flag: true, int: 1, int32: 1, int64: 1, double: 1, text: "t", data: Data(),
                              date: Date(timeIntervalSince1970: 0), uuid: UUID(), tier: .gold)
            var bad = good
            bad.double = .nan
            let samples = Array(repeating: good, count: 1_500) + [bad]
            await #expect(throws: DatabaseError.self) {
                try await db.write { tx in var copy = samples; try tx.insert(&copy) }
            }
            // Caught inside the transaction: the values are unchanged and nothing was sent, so it commits empty.
            let kept = try await db.write { tx in
                var copy = samples
                do { try tx.insert(&copy) } catch {}
                return copy
            }
            #expect(kept == samples)
            #expect(try await db.read { tx in try Sample.all().count(tx) } == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func aDuplicateKeyRollsTheWholeBatchBack(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            var countries = (0..<1_200).map { Country(code: "C\($0)", name: "n", population: 0) }
            countries.append(Country(code: "C3", name: "again", population: 0))
            try await db.write { tx in try tx.createTable(Country.self) }
            await #expect(throws: DatabaseError.self) {
                try await db.write { [countries] tx in var copy = countries; try tx.insert(&copy) }
            }
            #expect(try await db.read { tx in try Country.all().count(tx) } == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func anInsertedBatchInsideARolledBackSavepointCannotBeSavedOverReusedKeys(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await db.write { tx in
                try tx.createTable(Account.self)
                var escaped: [Account] = []
                try? tx.savepoint { tx in
                    var batch = [Account(owner: "a", balance: 1), Account(owner: "b", balance: 2)]
                    try tx.insert(&batch)
                    escaped = batch
                    throw ExpectedFailure()
                }
                var again = [Account(owner: "c", balance: 3), Account(owner: "d", balance: 4)]
                try tx.insert(&again)
                // Whether or not the keys were handed out again, the escaped values must not match a row.
                for var value in escaped where again.contains(where: { $0.id == value.id }) {
                    #expect(throws: StaleRecordError.self) { try tx.save(&value) }
                }
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func anEmptyBatchSendsNothing(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            try await db.write { tx in try tx.createTable(Account.self) }
            log.clear()
            var none: [Account] = []
            try await write(db, &none) { tx, values in try tx.insert(&values) }
            #expect(log.dataStatements.isEmpty)
        }
    }
}
