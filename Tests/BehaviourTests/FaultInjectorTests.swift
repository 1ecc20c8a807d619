import Foundation
import PostgresDriver
import Testing
import VersionedORM

/// The fault injector drives the retry rules deterministically on a real server.
@Suite struct FaultInjectorTests {
    private func incrementWithRetry(_ db: Database, _ account: Account) async throws -> Retried<Void> {
        try await db.write(retry: RetryPolicy(maxAttempts: 10, backoff: .none)) { tx in
            var copy = try #require(try tx.find(Account.self, id: account.id!))
            try tx.update(&copy) { $0.balance += 1 }
        }
    }

    @Test(arguments: [PostgresFaultInjector.Moment.statement, .commit])
    func kSerializationFailuresMeanKPlusOneAttemptsAndTheWorkAppliedOnce(moment: PostgresFaultInjector.Moment) async throws {
        try await withDatabase(.postgres) { db in
            let account = try await seedAccounts(db)[0]
            try await db.write { tx in
                try PostgresFaultInjector.arm(tx, table: "accounts", failing: "40001", times: 3, at: moment)
            }
            let result = try await incrementWithRetry(db, account)
            #expect(result.attempts == 4)
            #expect(try await reload(db, account)?.balance == account.balance + 1)
            #expect(try await db.read { tx in try PostgresFaultInjector.firings(tx, table: "accounts") } == 4)
            // Spent: the next write goes through at once.
            #expect(try await incrementWithRetry(db, account).attempts == 1)
        }
    }

    /// Holding the row's lock does not make a transaction immune: a deadlock, or under SERIALIZABLE a locked row
    /// that changed after the snapshot, fails it. A pessimistic modification runs again instead of handing the
    /// caller that transient error (the strategy lab found it giving up under SERIALIZABLE).
    @Test(arguments: ["40001", "40P01"])
    func aPessimisticModificationRunsAgainAfterASerializationFailureOrDeadlock(sqlState: String) async throws {
        try await withDatabase(.postgres) { db in
            let account = try await seedAccounts(db)[0]
            try await db.write { tx in
                try PostgresFaultInjector.arm(tx, table: "accounts", failing: sqlState, times: 2, at: .statement)
            }
            let modified = try await db.modify(Account.self, id: account.id!, using: .pessimistic(.wait)) { $0.balance += 1 }
            #expect(modified.attempts == 3)
            #expect(modified.value.version == account.version + 1)
            #expect(try await reload(db, account)?.balance == account.balance + 1)
            #expect(try await db.read { tx in try PostgresFaultInjector.firings(tx, table: "accounts") } == 3)
        }
    }

    @Test func anUnknownCompletionAtCommitIsOneAttemptAndAmbiguous() async throws {
        try await withDatabase(.postgres) { db in
            let account = try await seedAccounts(db)[0]
            try await db.write { tx in
                try PostgresFaultInjector.arm(tx, table: "accounts", failing: "40003", times: 1, at: .commit)
            }
            await #expect {
                _ = try await incrementWithRetry(db, account)
            } throws: { error in
                (error as? DatabaseError)?.kind == .commitOutcomeUnknown
            }
            #expect(try await db.read { tx in try PostgresFaultInjector.firings(tx, table: "accounts") } == 1)
            try await db.write { tx in try PostgresFaultInjector.disarm(tx, table: "accounts") }
            #expect(try await db.read { tx in try PostgresFaultInjector.firings(tx, table: "accounts") } == nil)
        }
    }

    @Test func onlyWellFormedFaultsCanBeArmed() async throws {
        try await withDatabase(.postgres) { db in
            try await seedAccounts(db)
            for bad in ["4000", "40001'; DROP TABLE accounts; --", "4000a"] {
                await #expect(throws: UsageError.self) {
                    try await db.write { tx in try PostgresFaultInjector.arm(tx, table: "accounts", failing: bad, times: 1, at: .commit) }
                }
            }
            await #expect(throws: SchemaError.self) {
                try await db.write { tx in try PostgresFaultInjector.arm(tx, table: "a\"b", failing: "40001", times: 1, at: .commit) }
            }
            #expect(try await db.read { tx in try Account.all().count(tx) } == 1)
        }
    }
}
