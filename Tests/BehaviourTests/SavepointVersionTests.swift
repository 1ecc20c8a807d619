import Foundation
import Synchronization
import Testing
import VersionedORM

/// No version handed out inside a savepoint that rolled back can ever match a later write.
@Suite struct SavepointVersionTests {
    /// Saves `value` inside a savepoint that then rolls back; returns the value with the version it was given.
    private func saveInRolledBackSavepoint(_ tx: Transaction, _ value: Account,
                                           _ change: @escaping (inout Account) -> Void) throws -> Account {
        var changed = value
        do {
            try tx.savepoint { tx in
                try tx.update(&changed, change)
                throw ExpectedFailure()
            }
        } catch is ExpectedFailure {}
        return changed
    }

    /// Tries to write the value a rolled-back savepoint left behind: "stale" is the only right answer.
    private func outcomeOfWriting(_ tx: Transaction, _ value: Account) throws -> String {
        var stale = value
        do {
            try tx.update(&stale) { $0.balance = 3 }
            return "written"
        } catch is StaleRecordError {
            return "stale"
        }
    }

    @Test(arguments: Backend.allCases)
    func aSecondCopySavedInTheSameTransactionIsNotOverwrittenByTheRolledBackOne(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let original = try await seedAccounts(db)[0]
            let (copyVersion, staleOutcome) = try await db.write { tx -> (Int64, String) in
                let rolledBack = try saveInRolledBackSavepoint(tx, original) { $0.balance = 1 }
                #expect(rolledBack.version == 2)
                // A copy the savepoint never touched saves normally, past the burned version 2.
                var copy = original
                try tx.update(&copy) { $0.balance = 2 }
                // The rolled-back value holds version 2; the row must never be at 2 now.
                var stale = rolledBack
                do {
                    try tx.update(&stale) { $0.balance = 3 }
                    return (copy.version, "written")
                } catch let error as StaleRecordError {
                    return (copy.version, "\(error.expectedVersion) vs \(error.current)")
                }
            }
            #expect(copyVersion == 3)
            #expect(staleOutcome == "2 vs modified (now version 3)")
            let stored = try #require(try await reload(db, original))
            #expect(stored.balance == 2 && stored.version == 3)
        }
    }

    @Test(arguments: Backend.allCases)
    func aBulkUpdateAfterTheRollbackCannotStepOntoABurnedVersion(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let original = try await seedAccounts(db)[0]
            let id = try #require(original.id)
            let outcome = try await db.write { [self] tx -> String in
                let rolledBack = try saveInRolledBackSavepoint(tx, original) { $0.balance = 1 }
                try Account.where { $0.id == id }.updateAll(tx) { $0.balance += 5 }
                return try outcomeOfWriting(tx, rolledBack)
            }
            #expect(outcome == "stale")
            let stored = try #require(try await reload(db, original))
            #expect(stored.balance == original.balance + 5)
        }
    }

    @Test(arguments: Backend.allCases)
    func aValueKeptFromTheSavepointStaysStaleAfterCommit(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let original = try await seedAccounts(db)[0]
            let rolledBack = try await db.write { tx in try saveInRolledBackSavepoint(tx, original) { $0.balance = 1 } }
            #expect(rolledBack.version == 2)
            // Another writer makes one ordinary write after the commit: the row must not land on version 2.
            let current = try #require(try await reload(db, original))
            #expect(current.version == 3)
            try await db.write { tx in var copy = current; try tx.update(&copy) { $0.balance = 50 } }
            let stale = await expectStale {
                try await db.write { tx in var copy = rolledBack; try tx.update(&copy) { $0.balance = 3 } }
            }
            #expect(stale != nil)
            #expect(try await reload(db, original)?.balance == 50)
        }
    }

    @Test(arguments: Backend.allCases)
    func aKeyHandedOutAgainAfterARolledBackInsertDoesNotTakeTheOldValuesVersion(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await seedAccounts(db, balances: [])
            let (ghost, reused) = try await db.write { tx -> (Account, Account) in
                var ghost = Account(owner: "ghost", balance: 1)
                do {
                    try tx.savepoint { tx in
                        try tx.insert(&ghost)
                        throw ExpectedFailure()
                    }
                } catch is ExpectedFailure {}
                var next = Account(owner: "real", balance: 2)
                try tx.insert(&next)
                return (ghost, next)
            }
            // SQLite hands the rolled-back key out again; PostgreSQL's identity never does.
            if backend == .sqlite { #expect(reused.id == ghost.id && reused.version == 2) }
            let stale = await expectStale { try await db.write { tx in var copy = ghost; try tx.save(&copy) } }
            #expect(stale != nil)
            let stored = try #require(try await reload(db, reused))
            #expect(stored.owner == "real" && stored.balance == 2)
        }
    }

    @Test func onPostgresTheRolledBackRowIsLockedAgainSoNoOtherTransactionCanTakeItsVersion() async throws {
        try await withDatabase(.postgres, poolSize: 4) { db in
            let original = try await seedAccounts(db)[0]
            let rolledBackDone = Gate()
            let proceed = Gate()
            let holderPID = Mutex<Int>(0)
            let holder = Task {
                try await db.write { [self] tx -> String in
                    holderPID.withLock { $0 = (try? tx.fetchValue(Int.self, "SELECT pg_backend_pid()")) ?? 0 }
                    let rolledBack = try saveInRolledBackSavepoint(tx, original) { $0.balance = 1 }
                    rolledBackDone.open()
                    proceed.waitBlocking()
                    return try outcomeOfWriting(tx, rolledBack)
                }
            }
            await rolledBackDone.wait()
            // Another transaction writes the row from a copy at version 1: it must wait for the holder.
            let other = Task {
                try await db.write { tx in var copy = original; try tx.update(&copy) { $0.balance = 50 }; return copy }
            }
            let pid = holderPID.withLock { $0 }
            try await waitUntilSomeoneWaits(on: pid, in: db, "the other writer waits for the re-taken row lock")
            proceed.open()
            #expect(try await holder.value == "stale")
            // The holder committed a version past the burned one, so the other writer's copy is stale: a spurious
            // conflict, never a lost write.
            let otherOutcome = await other.result
            let stored = try #require(try await reload(db, original))
            switch otherOutcome {
            case .success(let written): #expect(stored.balance == 50 && stored.version == written.version)
            case .failure(let error): #expect(error is StaleRecordError); #expect(stored.balance == original.balance)
            }
        }
    }
}
