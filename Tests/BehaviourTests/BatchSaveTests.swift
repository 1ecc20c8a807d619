import Testing
import VersionedORM

@Suite struct BatchSaveTests {
    @Test(arguments: Backend.allCases)
    func manyValuesAreSavedWithTheirChecksAndTheStaleOnesSortedOut(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            let accounts = try await seedAccounts(db, balances: Array(1...10))
            // Someone else changes one row and deletes another after they were read.
            let (changedByOthers, deletedByOthers) = (accounts[3], accounts[7])
            try await db.write { tx in
                var other = changedByOthers
                try tx.update(&other) { $0.balance = 999 }
                try tx.delete(deletedByOthers)
            }
            var values = accounts.map { account in
                var copy = account
                copy.balance *= 100
                copy.note = nil
                return copy
            }
            log.clear()
            let result = try await db.write { [values] tx in
                var written = values
                let result = try tx.saveAll(&written)
                return (result, written)
            }
            values = result.1
            let keys = accounts.compactMap(\.id)
            #expect(result.0.saved == keys.filter { $0 != changedByOthers.id && $0 != deletedByOthers.id })
            #expect(result.0.modified == [try #require(changedByOthers.id)])
            #expect(result.0.deleted == [try #require(deletedByOthers.id)])
            // Saved values hold their new version; the stale ones are as they were.
            #expect(values.filter { result.0.saved.contains($0.id ?? 0) }.allSatisfy { $0.version == 2 })
            #expect(values[3].version == 1 && values[7].version == 1)
            let updates = log.dataStatements.filter { $0.hasPrefix("UPDATE") }
            // PostgreSQL: one statement for all ten; SQLite: its prepared UPDATE once per value.
            #expect(updates.count == (backend == .postgres ? 1 : 10))
            let stored = try await db.read { tx in try Account.all().order { [$0.id.ascending] }.fetchAll(tx) }
            #expect(stored.map(\.balance) == [100, 200, 300, 999, 500, 600, 700, 900, 1_000])
            #expect(stored.filter { $0.balance != 999 }.allSatisfy { $0.version == 2 })
        }
    }

    @Test(arguments: Backend.allCases)
    func moreValuesThanOneStatementTakesAreAllSaved(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let saved = try await db.write { tx -> (BatchSaveResult<Int64>, [Account]) in
                try tx.createTable(Account.self)
                var accounts = (0..<2_345).map { Account(owner: "o\($0)", balance: Int64($0), note: $0.isMultiple(of: 2) ? nil : "n") }
                try tx.insert(&accounts)
                for index in accounts.indices { accounts[index].balance += 1 }
                let result = try tx.saveAll(&accounts)
                return (result, try Account.all().order { [$0.id.ascending] }.fetchAll(tx))
            }
            #expect(saved.0.saved.count == 2_345)
            #expect(saved.0.stale.isEmpty)
            #expect(saved.1.enumerated().allSatisfy { $0.element.balance == Int64($0.offset + 1) && $0.element.version == 2 })
        }
    }

    @Test(arguments: Backend.allCases)
    func insideASavepointTheVersionsAreTrackedRowByRow(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let accounts = try await seedAccounts(db, balances: [1, 2])
            let after = try await db.write { [accounts] tx in
                var values = accounts
                // A savepoint that saved and rolled back burns version 2 of both rows.
                try? tx.savepoint { tx -> Void in
                    var burned = values
                    _ = try tx.saveAll(&burned)
                    throw CancellationError()
                }
                for index in values.indices { values[index].balance += 10 }
                _ = try tx.saveAll(&values)
                return values
            }
            #expect(after.map(\.balance) == [11, 12])
            #expect(after.allSatisfy { $0.version == 3 })
            let stored = try await db.read { tx in try Account.all().fetchAll(tx) }
            #expect(stored.allSatisfy { $0.version == 3 })
        }
    }

    @Test(arguments: Backend.allCases)
    func badValuesAreRefusedBeforeAnythingIsWritten(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let accounts = try await seedAccounts(db, balances: [1, 2])
            await #expect(throws: UsageError.self) {
                try await db.write { [accounts] tx in
                    var values = [accounts[0], accounts[1], accounts[0]]
                    values[1].balance = 50
                    _ = try tx.saveAll(&values)
                }
            }
            await #expect(throws: PersistenceError.self) {
                try await db.write { [accounts] tx in
                    var values = [accounts[0], Account(owner: "new", balance: 5)]
                    values[0].balance = 50
                    _ = try tx.saveAll(&values)
                }
            }
            let stored = try await db.read { tx in try Account.all().fetchAll(tx) }
            #expect(stored.allSatisfy { $0.version == 1 && $0.balance < 50 })
        }
    }
}
