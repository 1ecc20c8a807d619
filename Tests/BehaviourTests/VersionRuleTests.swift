import Testing
import VersionedORM

/// The version rules of DESIGN.md, on every backend.
@Suite struct VersionRuleTests {
    @Test(arguments: Backend.allCases)
    func insertWritesVersionOneAndReadsBackTheKey(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let accounts = try await seedAccounts(db, balances: [10, 20])
            #expect(accounts.map(\.version) == [1, 1])
            let ids = accounts.compactMap(\.id)
            #expect(ids.count == 2 && ids[0] != ids[1])
            #expect(try await reload(db, accounts[1]) == accounts[1])
        }
    }

    @Test(arguments: Backend.allCases)
    func secondOfTwoCopiesIsStaleAndTheFirstWriteSurvives(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let original = try await seedAccounts(db)[0]
            var first = original
            var second = original
            first.balance = 150
            second.balance = 999
            first = try await db.write { [first] tx in var copy = first; try tx.save(&copy); return copy }
            #expect(first.version == 2)

            let stale = await expectStale {
                _ = try await db.write { [second] tx in var copy = second; try tx.save(&copy); return copy }
            }
            #expect(stale == StaleRecordError(model: "Account", table: "accounts", primaryKey: AnyPrimaryKey(original.id ?? -1),
                                              expectedVersion: 1, current: .modified(currentVersion: 2),
                                              operation: .save))
            let stored = try #require(try await reload(db, original))
            #expect(stored.balance == 150)
            #expect(stored.version == 2)

            // The same stale copy stays stale: the library never refreshes or resends a stale version.
            let again = await expectStale {
                _ = try await db.write { [second] tx in var copy = second; try tx.save(&copy); return copy }
            }
            #expect(again?.current == .modified(currentVersion: 2))
            #expect(try await reload(db, original)?.balance == 150)
        }
    }

    @Test(arguments: Backend.allCases)
    func deletingAStaleCopyDeletesNothing(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let original = try await seedAccounts(db)[0]
            _ = try await db.write { tx in var fresh = original; try tx.update(&fresh) { $0.balance += 1 }; return fresh }
            let stale = await expectStale { try await db.write { tx in try tx.delete(original) } }
            #expect(stale?.operation == .delete)
            #expect(stale?.current == .modified(currentVersion: 2))
            #expect(try await reload(db, original)?.balance == 101)
        }
    }

    @Test(arguments: Backend.allCases)
    func everyWriteAfterTheRowWasDeletedElsewhereSaysDeleted(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let original = try await seedAccounts(db)[0]
            try await db.write { tx in try tx.delete(original) }
            let operations: [@Sendable (Transaction) throws -> Void] = [
                { tx in var copy = original; try tx.save(&copy) },
                { tx in var copy = original; try tx.update(&copy) { $0.balance = 1 } },
                { tx in var copy = original; try tx.save(&copy, columns: [\.note]) },
                { tx in try tx.delete(original) },
                { tx in var copy = original; try tx.touch(&copy) },
            ]
            for operation in operations {
                let stale = await expectStale { try await db.write(operation) }
                #expect(stale?.current == .deleted)
                #expect(stale?.expectedVersion == 1)
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func anUpdateThatChangesNothingSendsNothingAndKeepsTheVersion(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            let original = try await seedAccounts(db)[0]
            log.clear()
            let unchanged = try await db.write { tx in
                var copy = original
                try tx.update(&copy) { $0.balance = original.balance }
                try tx.save(&copy, columns: [])
                return copy
            }
            #expect(log.dataStatements.isEmpty)
            #expect(unchanged == original)
            #expect(try await reload(db, original)?.version == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func aPartialUpdateSendsOnlyChangedColumnsBumpsTheVersionAndStalesOlderCopies(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            let original = try await seedAccounts(db)[0]
            log.clear()
            let updated = try await db.write { tx in
                var copy = original
                try tx.update(&copy) { $0.balance -= 10 }
                return copy
            }
            #expect(updated.balance == 90)
            #expect(updated.version == 2)
            let update = try #require(log.dataStatements.first)
            #expect(log.dataStatements.count == 1)
            #expect(update.contains("\"balance\""))
            #expect(!update.contains("\"owner\"") && !update.contains("\"note\""))
            #expect(update.contains("\"version\" = \"version\" + 1"))

            // A copy read before the partial save is stale even though it would touch other columns.
            let stale = await expectStale {
                try await db.write { tx in var copy = original; try tx.update(&copy) { $0.note = "late" } }
            }
            #expect(stale?.current == .modified(currentVersion: 2))
            #expect(try await reload(db, original)?.note == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func aSaveNamingColumnsWritesOnlyThoseAndAlwaysBumps(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let original = try await seedAccounts(db)[0]
            let saved = try await db.write { tx in
                var copy = original
                copy.balance = 5
                copy.note = "not written"
                try tx.save(&copy, columns: [\.balance])
                var again = copy
                try tx.save(&again, columns: [\.balance])  // same value, named: still a write
                return again
            }
            #expect(saved.version == 3)
            let stored = try #require(try await reload(db, original))
            #expect(stored.balance == 5)
            #expect(stored.note == nil)
            #expect(stored.version == 3)
        }
    }

    @Test(arguments: Backend.allCases)
    func aFailedWriteLeavesTheValueExactlyAsItWas(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let accounts = try await seedAccounts(db, balances: [1, 2])
            try await db.write { tx in
                try tx.execute("CREATE UNIQUE INDEX \(identifier: "accounts_owner") ON \(identifier: "accounts") (\(identifier: "owner"))")
            }
            // Stale: the other copy moved on.
            _ = try await db.write { tx in var copy = accounts[0]; try tx.touch(&copy); return copy }
            let outcome = try await db.write { tx -> (Account, String) in
                var copy = accounts[0]
                do {
                    try tx.update(&copy) { $0.balance = 1_000; $0.note = "x" }
                    return (copy, "no error")
                } catch let error as StaleRecordError {
                    return (copy, "\(error.current)")
                }
            }
            #expect(outcome.0 == accounts[0])
            #expect(outcome.1 == "modified (now version 2)")

            // Constraint: a duplicate owner.
            let constrained = try await db.write { tx -> (Account, DatabaseError.Kind?) in
                var copy = accounts[1]
                do {
                    try tx.savepoint { tx in try tx.update(&copy) { $0.owner = accounts[0].owner } }
                    return (copy, nil)
                } catch let error as DatabaseError {
                    return (copy, error.kind)
                }
            }
            #expect(constrained.0 == accounts[1])
            #expect(constrained.1 == .uniqueViolation)
            #expect(try await reload(db, accounts[1]) == accounts[1])
        }
    }

    @Test(arguments: Backend.allCases)
    func touchBumpsTheVersionWithoutChangingData(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let original = try await seedAccounts(db)[0]
            let touched = try await db.write { tx in var copy = original; try tx.touch(&copy); return copy }
            #expect(touched.version == 2)
            let stored = try #require(try await reload(db, original))
            #expect(stored.version == 2 && stored.balance == original.balance)
        }
    }

    @Test(arguments: Backend.allCases)
    func aValueThatWasNeverInsertedCannotBeSavedUpdatedDeletedOrTouched(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            try await seedAccounts(db, balances: [])
            log.clear()
            let fresh = Account(owner: "new", balance: 1)
            let withKeyButNoVersion = Account(id: 1, owner: "new", balance: 1)
            let operations: [@Sendable (Transaction) throws -> Void] = [
                { tx in var copy = fresh; try tx.save(&copy) },
                { tx in var copy = fresh; try tx.update(&copy) { $0.balance = 2 } },
                { tx in try tx.delete(fresh) },
                { tx in var copy = fresh; try tx.touch(&copy) },
                { [withKeyButNoVersion] tx in var copy = withKeyButNoVersion; try tx.save(&copy) },
            ]
            for operation in operations {
                await #expect(throws: PersistenceError.self) { try await db.write(operation) }
            }
            #expect(log.dataStatements.isEmpty)
            #expect(try await db.read { tx in try Account.all().count(tx) } == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func aVersionAtInt64MaxIsRefusedNotWrapped(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let original = try await seedAccounts(db)[0]
            let id = try #require(original.id)
            try await db.write { tx in
                try tx.execute("UPDATE \(identifier: "accounts") SET \(identifier: "version") = \(Int64.max) WHERE \(identifier: "id") = \(id)")
            }
            let atMax = try #require(try await reload(db, original))
            #expect(atMax.version == Int64.max)
            await #expect(throws: PersistenceError.versionOverflow(model: "Account", primaryKey: AnyPrimaryKey(id))) {
                try await db.write { tx in var copy = atMax; try tx.update(&copy) { $0.balance = 0 } }
            }
            #expect(try await reload(db, original)?.balance == original.balance)
        }
    }

    @Test(arguments: Backend.allCases)
    func anUpdateClosureMayNotChangeTheKeyOrVersion(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let original = try await seedAccounts(db)[0]
            await #expect(throws: PersistenceError.identityChanged(model: "Account")) {
                try await db.write { tx in var copy = original; try tx.update(&copy) { $0.version = 99 } }
            }
            await #expect(throws: PersistenceError.self) {
                try await db.write { tx in var copy = original; try tx.save(&copy, columns: [\.version]) }
            }
        }
    }
}
