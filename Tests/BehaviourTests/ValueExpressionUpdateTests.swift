import Testing
import VersionedORMMacros

/// `tx.update(&value, set:)`: an expression the database computes, on one loaded value.
@Suite struct ValueExpressionUpdateTests {
    @Test(arguments: Backend.allCases)
    func anIncrementIsOneVersionedStatementAndRefreshesTheValue(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            var account = try await seedAccounts(db, balances: [100])[0]
            log.clear()
            try await write(db, &account) { tx, value in try tx.update(&value, set: { $0.balance += 5 }) }
            #expect(account.balance == 105 && account.version == 2)
            let statements = log.dataStatements
            #expect(statements.count == 1)
            let update = try #require(statements.first)
            #expect(update.contains("\"balance\" = (\"balance\" + "))
            #expect(update.contains("AND \"version\" = "))
            #expect(update.contains("RETURNING"))
            let id = try #require(account.id)
            let row = try await db.read { tx in try tx.find(Account.self, id: id) }
            #expect(row == account)
        }
    }

    @Test(arguments: Backend.allCases)
    func aStaleValueIsRefusedUnlessTheVersionCheckIsWaived(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let loaded = try await seedAccounts(db, balances: [100])[0]
            var other = loaded
            try await write(db, &other) { tx, value in try tx.update(&value) { $0.note = "edited" } }
            var stale = loaded
            let conflict = await expectStale {
                try await write(db, &stale) { tx, value in try tx.update(&value, set: { $0.balance -= 10 }) }
            }
            #expect(conflict?.current == .modified(currentVersion: 2))
            #expect(stale == loaded)
            // Unchecked: applies to the row as it is now, keeps the other writer's change, still bumps.
            try await write(db, &stale) { tx, value in try tx.update(&value, checkingVersion: false, set: { $0.balance -= 10 }) }
            #expect(stale.balance == 90 && stale.note == "edited" && stale.version == 3)
            // The other copy is stale now.
            let afterBump = await expectStale { try await write(db, &other) { tx, value in try tx.touch(&value) } }
            #expect(afterBump != nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func anUnsavedOrDeletedValueIsAnErrorNeverZeroRows(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            var account = try await seedAccounts(db, balances: [1])[0]
            let unsaved = Account(owner: "new", balance: 1)
            await #expect(throws: PersistenceError.notInserted(model: "Account", operation: .update)) {
                try await db.write { tx in var copy = unsaved; try tx.update(&copy, set: { $0.balance += 1 }) }
            }
            try await db.write { [account] tx in try tx.delete(account) }
            let deleted = await expectStale {
                try await write(db, &account) { tx, value in try tx.update(&value, checkingVersion: false, set: { $0.balance += 1 }) }
            }
            #expect(deleted?.current == .deleted)
            let deletedChecked = await expectStale {
                try await write(db, &account) { tx, value in try tx.update(&value, set: { $0.balance += 1 }) }
            }
            #expect(deletedChecked?.current == .deleted)
            // Assigning the key or the version is refused before anything is sent.
            await #expect(throws: SchemaError.self) {
                try await db.write { tx in
                    var row = Account(owner: "x", balance: 1)
                    try tx.insert(&row)
                    try tx.update(&row, set: { $0.version = .value(9) })
                }
            }
        }
    }
}
