import Testing
import VersionedORM

@Suite struct AtomicUpdateTests {
    @Test(arguments: Backend.allCases)
    func aGuardedDebitIsOneStatementThatBumpsVersionsAndReturnsRows(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            let accounts = try await seedAccounts(db, balances: [100, 5])
            log.clear()
            let (debited, overdrawn) = try await db.write { tx in
                let debited = try Account.where { $0.balance >= 10 }.updateAllReturning(tx) { $0.balance -= 10 }
                let overdrawn = try Account.where { $0.id == accounts[1].id && $0.balance >= 10 }.updateAll(tx) { $0.balance -= 10 }
                return (debited, overdrawn)
            }
            #expect(debited.map(\.balance) == [90])
            #expect(debited.map(\.version) == [2])
            #expect(overdrawn == 0)
            let update = try #require(log.dataStatements.first)
            #expect(update.contains("\"balance\" = (\"balance\" - "))
            #expect(update.contains("\"version\" = CASE WHEN \"version\" < "))
            #expect(update.contains(" THEN \"version\" + 1 END"))
            // The copy held from before is stale now.
            let stale = await expectStale { try await db.write { tx in var copy = accounts[0]; try tx.touch(&copy) } }
            #expect(stale?.current == .modified(currentVersion: 2))
        }
    }

    @Test(arguments: Backend.allCases)
    func columnsFromColumnsNullAndLeavingVersionsAlone(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let accounts = try await seedAccounts(db, balances: [7, 9])
            let rows = try await db.write { tx in
                _ = try Account.all().updateAll(tx) { $0.note = .value("x") }
                return try Account.all().updateAllReturning(tx, leavingVersionUnsafely: true) {
                    $0.balance = $0.balance * 3 + 1
                    $0.balance -= 1
                    $0.note = .null
                }
            }
            #expect(rows.map(\.balance).sorted() == [21, 27])
            #expect(rows.allSatisfy { $0.note == nil && $0.version == 2 })
            // Versions untouched by the second update: a copy at version 2 still saves.
            let refreshed = try #require(rows.first { $0.id == accounts[0].id })
            let saved = try await db.write { tx in var copy = refreshed; try tx.update(&copy) { $0.balance = 0 }; return copy }
            #expect(saved.version == 3)
        }
    }

    @Test(arguments: Backend.allCases)
    func misuseIsRefusedBeforeAnythingIsSent(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            try await seedAccounts(db)
            log.clear()
            await #expect(throws: SchemaError.self) {
                try await db.write { tx in try Account.all().updateAll(tx) { $0.version += 1 } }
            }
            await #expect(throws: UsageError.self) {
                try await db.write { tx in try Account.all().limit(1).updateAll(tx) { $0.balance += 1 } }
            }
            await #expect(throws: UsageError.writeInReadTransaction("update")) {
                try await db.read { tx in try Account.all().updateAll(tx) { $0.balance += 1 } }
            }
            #expect(log.dataStatements.isEmpty)
        }
    }
}
