import Foundation
import Testing
import VersionedORM


@Suite struct TransactionTests {
    @Test(arguments: Backend.allCases)
    func aRolledBackTransactionLeavesRowsAndVersionsAsTheyWere(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let original = try await seedAccounts(db)[0]
            await #expect(throws: ExpectedFailure.self) {
                try await db.write { tx in
                    var copy = original
                    try tx.update(&copy) { $0.balance = 0 }
                    try tx.touch(&copy)
                    var extra = Account(owner: "ghost", balance: 1)
                    try tx.insert(&extra)
                    throw ExpectedFailure()
                }
            }
            #expect(try await reload(db, original) == original)
            #expect(try await db.read { tx in try Account.all().count(tx) } == 1)
            // The copy read before the rolled-back transaction is still current.
            let saved = try await db.write { tx in var copy = original; try tx.update(&copy) { $0.balance = 7 }; return copy }
            #expect(saved.version == 2)
        }
    }

    @Test(arguments: Backend.allCases)
    func aSavepointRollsBackOnlyItsOwnWork(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let original = try await seedAccounts(db)[0]
            let (outer, innerVersion) = try await db.write { tx -> (Account, Int64) in
                var account = original
                try tx.update(&account) { $0.balance = 200 }  // version 2, kept
                var inner = account
                do {
                    try tx.savepoint { tx in
                        try tx.update(&inner) { $0.balance = 300 }  // version 3, undone
                        try tx.savepoint { tx in try tx.touch(&inner) }  // version 4, undone with its parent
                        throw ExpectedFailure()
                    }
                } catch is ExpectedFailure {}
                // Versions 3 and 4 were handed out inside the rolled-back savepoint and `inner` still holds 4: the
                // row's next write skips past them, so no stale value can ever match again.
                try tx.savepoint { tx in try tx.update(&account) { $0.note = "kept" } }  // version 5, kept
                return (account, inner.version)
            }
            #expect(innerVersion == 4)
            #expect(outer.version == 5)
            let stored = try #require(try await reload(db, original))
            #expect(stored == outer)
            #expect(stored.balance == 200 && stored.note == "kept")
        }
    }

    @Test(arguments: Backend.allCases)
    func aValueSavedInARolledBackSavepointIsReportedStaleNotWrittenBlindly(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let original = try await seedAccounts(db)[0]
            let result = try await db.write { tx -> String in
                var account = original
                do {
                    try tx.savepoint { tx in
                        try tx.update(&account) { $0.balance = 1 }
                        throw ExpectedFailure()
                    }
                } catch is ExpectedFailure {}
                do {
                    try tx.update(&account) { $0.balance = 2 }
                    return "saved"
                } catch let error as StaleRecordError {
                    return "\(error.expectedVersion) vs \(error.current)"
                }
            }
            #expect(result == "2 vs modified (now version 1)")
            // The data is as it was; COMMIT moved the version past the one the savepoint handed out.
            let stored = try #require(try await reload(db, original))
            #expect(stored.balance == original.balance && stored.owner == original.owner)
            #expect(stored.version == 3)
        }
    }

    @Test(arguments: Backend.allCases)
    func withoutATransactionEachStatementCommitsAndVersionsStillProtect(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            let original = try await seedAccounts(db)[0]
            log.clear()
            await #expect(throws: ExpectedFailure.self) {
                try await db.writeWithoutTransaction { tx in
                    var copy = original
                    try tx.update(&copy) { $0.balance = 1 }
                    throw ExpectedFailure()
                }
            }
            #expect(log.statements.count == 1)  // no BEGIN, no COMMIT, no ROLLBACK
            #expect(try await reload(db, original)?.balance == 1)  // committed by itself
            let stale = await expectStale {
                try await db.writeWithoutTransaction { tx in var copy = original; try tx.update(&copy) { $0.balance = 2 } }
            }
            #expect(stale?.current == .modified(currentVersion: 2))
            // Savepoints and row locks need a transaction: the AutocommitSession has no savepoint, and a
            // LockingQuery takes only a Transaction, so both misuses are compile errors now, no longer run-time ones.
        }
    }

    @Test(arguments: Backend.allCases)
    func writingInsideReadIsAClearError(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let original = try await seedAccounts(db)[0]
            await #expect(throws: UsageError.writeInReadTransaction("update")) {
                try await db.read { tx in var copy = original; try tx.update(&copy) { $0.balance = 0 } }
            }
            await #expect(throws: UsageError.writeInReadTransaction("insert")) {
                try await db.read { tx in var fresh = Account(owner: "x", balance: 0); try tx.insert(&fresh) }
            }
            do {
                try await db.read { tx in try tx.execute("DELETE FROM \(identifier: "accounts")") }
                Issue.record("a raw write inside read succeeded")
            } catch let error as DatabaseError {
                #expect(error.kind == .readOnly)
            }
            #expect(try await reload(db, original) == original)
        }
    }

    @Test(arguments: Backend.allCases)
    func aTransactionCannotBeUsedAfterItsClosure(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await seedAccounts(db)
            final class Escaped: @unchecked Sendable {
                // @unchecked: written once inside the transaction closure, read after it returned; the await
                // between the two orders them.
                var transaction: Transaction?
            }
            let escaped = Escaped()
            try await db.write { tx in escaped.transaction = tx }
            let transaction = try #require(escaped.transaction)
            #expect(throws: UsageError.transactionFinished) { try Account.all().fetchAll(transaction) }
        }
    }

    @Test(arguments: Backend.allCases)
    func nestedTransactionsAreRefusedAtOnce(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await seedAccounts(db)
            let outcome = try await onPlainThread {
                try db.writeSync { _ -> String in
                    do {
                        try db.readSync { _ in }
                        return "nested read ran"
                    } catch let error as UsageError {
                        return "\(error)"
                    }
                }
            }
            #expect(outcome == "\(UsageError.nestedTransaction)")
        }
    }

    @Test(arguments: Backend.allCases)
    func blockingVariantsWorkOutsideSwiftConcurrency(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await seedAccounts(db)
            let balances = try await onPlainThread {
                let account = try db.readSync { tx in try Account.all().fetchOne(tx) }
                guard var changed = account else { return [Int64]() }
                try db.writeSync { tx in try tx.update(&changed) { $0.balance += 5 } }
                return try db.readSync { tx in try Account.all().fetchAll(tx).map(\.balance) }
            }
            #expect(balances == [105])
        }
    }

    @Test(arguments: Backend.allCases)
    func waitingForABusyConnectionTimesOutWithAClearError(backend: Backend) async throws {
        try await withDatabase(backend, connectionTimeout: .milliseconds(200), poolSize: 1) { db in
            try await seedAccounts(db)
            try await whileAnotherTransactionHolds(db, { _ in }) {
                await #expect(throws: UsageError.connectionTimeout(seconds: 0.2)) {
                    try await db.write { _ in }
                }
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func readsSeeOneSnapshotWhileAWriterCommits(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let original = try await seedAccounts(db)[0]
            let (before, after) = try await db.read { tx -> (Int64, Int64) in
                let first = try tx.find(Account.self, id: original.id ?? 0)?.balance ?? -1
                // A separate connection commits while this snapshot is open.
                let semaphore = DispatchSemaphore(value: 0)
                Task.detached {
                    _ = try? await db.write { tx in var copy = original; try tx.update(&copy) { $0.balance = 1 } }
                    semaphore.signal()
                }
                semaphore.wait()
                let second = try tx.find(Account.self, id: original.id ?? 0)?.balance ?? -1
                return (first, second)
            }
            #expect(before == 100)
            #expect(after == 100)
            #expect(try await reload(db, original)?.balance == 1)
        }
    }
}
