import Foundation
import PostgresDriver
import Synchronization
import Testing
import VersionedORM

/// A `write` that returns has committed; anything else is an error, the same on both databases.
@Suite struct TransactionOutcomeTests {
    private func keys(_ db: Database) async throws -> [Int64] {
        try await db.read { tx in
            try tx.fetchRows("SELECT \(identifier: "k") FROM \(identifier: "keys") ORDER BY \(identifier: "k")")
                .map { try Int64.fromDatabaseValue($0[0]) }
        }
    }

    private func createKeys(_ db: Database) async throws {
        try await db.write { tx in
            try tx.execute("CREATE TABLE \(identifier: "keys") (\(identifier: "k") BIGINT PRIMARY KEY)")
        }
    }

    @Test(arguments: Backend.allCases)
    func aCaughtStatementFailureMakesTheWriteFailAndKeepsNothing(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await createKeys(db)
            do {
                try await db.write { tx in
                    try tx.execute("INSERT INTO \(identifier: "keys") VALUES (\(Int64(1)))")
                    // "Insert or ignore" by catching the duplicate: PostgreSQL has aborted the transaction here.
                    _ = try? tx.execute("INSERT INTO \(identifier: "keys") VALUES (\(Int64(1)))")
                    return "done"
                }
                Issue.record("write returned success for work that was not committed")
            } catch let error as DatabaseError {
                #expect(error.kind == .transactionAborted)
                #expect(error.description.contains("uniqueViolation"))
            }
            #expect(try await keys(db) == [])
        }
    }

    @Test(arguments: Backend.allCases)
    func aSyntaxErrorSwallowedWithTryQuestionMarkIsNotACommit(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await seedAccounts(db, balances: [])
            await #expect(throws: DatabaseError.self) {
                try await db.write { tx in
                    var account = Account(owner: "lost", balance: 1)
                    try tx.insert(&account)
                    _ = try? tx.execute("SELEC 1")
                }
            }
            #expect(try await db.read { tx in try Account.all().count(tx) } == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func afterAFailureNothingElseRunsUntilTheSavepointRollsBack(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            try await createKeys(db)
            let kinds = Mutex<[DatabaseError.Kind]>([])
            let stored = try await db.write { tx -> [Int64] in
                try tx.execute("INSERT INTO \(identifier: "keys") VALUES (\(Int64(1)))")
                // The right way to try a statement that may fail: inside a savepoint.
                do {
                    try tx.savepoint { tx in try tx.execute("INSERT INTO \(identifier: "keys") VALUES (\(Int64(1)))") }
                } catch let error as DatabaseError { kinds.withLock { $0.append(error.kind) } }
                // A savepoint that swallows its own failure still rolls back and says so.
                do {
                    try tx.savepoint { tx in
                        try tx.execute("INSERT INTO \(identifier: "keys") VALUES (\(Int64(2)))")
                        _ = try? tx.execute("INSERT INTO \(identifier: "keys") VALUES (\(Int64(2)))")
                        log.clear()
                        // Refused without being sent, on both databases.
                        do { try tx.execute("INSERT INTO \(identifier: "keys") VALUES (\(Int64(3)))") } catch let error as DatabaseError {
                            kinds.withLock { $0.append(error.kind) }
                        }
                        #expect(log.dataStatements.isEmpty)
                    }
                } catch let error as DatabaseError { kinds.withLock { $0.append(error.kind) } }
                try tx.execute("INSERT INTO \(identifier: "keys") VALUES (\(Int64(4)))")
                return try tx.fetchRows("SELECT \(identifier: "k") FROM \(identifier: "keys")").map { try Int64.fromDatabaseValue($0[0]) }
            }
            #expect(kinds.withLock { $0 } == [.uniqueViolation, .transactionAborted, .transactionAborted])
            #expect(stored.sorted() == [1, 4])
            #expect(try await keys(db) == [1, 4])
        }
    }

    @Test(arguments: Backend.allCases)
    func aRawRollbackEndsTheClosureWithAnErrorAndNothingIsCommitted(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await createKeys(db)
            let afterRollback = Mutex<DatabaseError?>(nil)
            await #expect(throws: DatabaseError.self) {
                try await db.write { tx in
                    try tx.execute("INSERT INTO \(identifier: "keys") VALUES (\(Int64(1)))")
                    do { try tx.execute("ROLLBACK") } catch let error as DatabaseError { afterRollback.withLock { $0 = error } }
                    // Would autocommit on its own if it were sent.
                    _ = try? tx.execute("INSERT INTO \(identifier: "keys") VALUES (\(Int64(2)))")
                }
            }
            #expect(afterRollback.withLock { $0?.code } == "TRANSACTION_ENDED")
            #expect(try await keys(db) == [])
        }
    }

    @Test(arguments: Backend.allCases)
    func aRawCommitIsReportedNotPassedOffAsTheLibrarysCommit(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await createKeys(db)
            do {
                try await db.write { tx in
                    try tx.execute("INSERT INTO \(identifier: "keys") VALUES (\(Int64(1)))")
                    try tx.execute("COMMIT")
                }
                Issue.record("a raw COMMIT went unnoticed")
            } catch let error as DatabaseError {
                #expect(error.kind == .transactionAborted && error.code == "TRANSACTION_ENDED")
            }
            // The database is usable afterwards.
            try await db.write { tx in try tx.execute("INSERT INTO \(identifier: "keys") VALUES (\(Int64(2)))") }
            #expect(try await keys(db).contains(2))
        }
    }

    // MARK: Lost connections

    /// Terminates the backend of the transaction it runs in from another connection, then waits until it is gone.
    private func terminateOwnBackend(_ tx: Transaction) throws {
        try terminateBackend(tx.fetchValue(Int.self, "SELECT pg_backend_pid()"))
    }

    private func terminateOwnBackend(_ session: AutocommitSession) throws {
        try terminateBackend(session.fetchValue(Int.self, "SELECT pg_backend_pid()"))
    }

    private func terminateBackend(_ backend: Int?) throws {
        guard let pid = backend else { return }
        let semaphore = DispatchSemaphore(value: 0)
        let outcome = Mutex<(any Error)?>(nil)
        Task.detached {
            do {
                let admin = try await Database.postgres(url: try Backend.postgresURL,
                                                        configuration: PostgresConfiguration(poolSize: 1))
                _ = try await admin.write { tx in
                    try tx.fetchValue(Bool.self, "SELECT pg_terminate_backend(CAST(\(pid) AS INTEGER))")
                }
                // pg_terminate_backend only signals; wait until the backend has gone.
                for _ in 0..<200 {
                    let alive = try await admin.read { tx in
                        try tx.fetchValue(Int.self, "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = CAST(\(pid) AS INTEGER)")
                    }
                    if alive == 0 { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
                await admin.close()
            } catch {
                outcome.withLock { $0 = error }
            }
            semaphore.signal()
        }
        semaphore.wait()
        if let error = outcome.withLock({ $0 }) { throw error }
    }

    @Test func aConnectionLostDuringCommitIsAnUnknownOutcomeThatIsNotRetried() async throws {
        try await withDatabase(.postgres, poolSize: 2) { db in
            try await createKeys(db)
            let attempts = Counter()
            do {
                _ = try await RetryPolicy(maxAttempts: 3, backoff: .none).run { _ in
                    attempts.increment()
                    try await db.write { tx in
                        try tx.execute("INSERT INTO \(identifier: "keys") VALUES (\(Int64(1)))")
                        try terminateOwnBackend(tx)
                    }
                }
                Issue.record("the write succeeded on a terminated connection")
            } catch let error as DatabaseError {
                #expect(error.kind == .commitOutcomeUnknown)
            }
            #expect(attempts.count == 1)
            // The database is usable, on a new connection.
            #expect(try await keys(db) == [])
        }
    }

    @Test func anIdempotentPolicyRetriesAnUnknownOutcome() async throws {
        try await withDatabase(.postgres, poolSize: 2) { db in
            try await createKeys(db)
            let attempts = Counter()
            let result = try await RetryPolicy(maxAttempts: 3, backoff: .none, idempotent: true).run { attempt in
                attempts.increment()
                try await db.write { tx in
                    try tx.execute("INSERT INTO \(identifier: "keys") VALUES (\(Int64(attempt))) ON CONFLICT DO NOTHING")
                    if attempt == 1 { try terminateOwnBackend(tx) }
                }
            }
            #expect(result.attempts == 2)
            #expect(try await keys(db) == [2])
        }
    }

    @Test func aConnectionLostBeforeCommitIsRetried() async throws {
        try await withDatabase(.postgres, poolSize: 2) { db in
            try await createKeys(db)
            let result = try await RetryPolicy(maxAttempts: 3, backoff: .none).run { attempt in
                try await db.write { tx in
                    try tx.execute("INSERT INTO \(identifier: "keys") VALUES (\(Int64(attempt)))")
                    if attempt == 1 {
                        try terminateOwnBackend(tx)
                        // Found before COMMIT: nothing was committed, so another attempt is safe.
                        try tx.execute("INSERT INTO \(identifier: "keys") VALUES (\(Int64(10)))")
                    }
                }
            }
            #expect(result.attempts == 2)
            #expect(try await keys(db) == [2])
        }
    }

    @Test func aConnectionLostDuringAnAutocommitReadIsRetryable() async throws {
        try await withDatabase(.postgres, poolSize: 2) { db in
            let account = try await seedAccounts(db, balances: [0])[0]
            let id = try #require(account.id)
            // A read commits nothing, so losing the connection during it leaves nothing unknown.
            await #expect {
                try await db.writeWithoutTransaction { session in
                    try terminateOwnBackend(session)
                    _ = try session.find(Account.self, id: id)
                }
            } throws: { error in
                (error as? DatabaseError)?.kind == .connectionLost && RetryPolicy.isRetryable(error)
            }
            // An optimistic modification reads without a transaction: when its read finds the connection gone
            // (terminated while idle in the pool), it runs again on a new one.
            try await db.writeWithoutTransaction { session in try terminateOwnBackend(session) }
            let result = try await db.modify(Account.self, id: id, using: .optimistic(retry: RetryPolicy(backoff: .none))) {
                $0.balance += 1
            }
            #expect(result.attempts == 2)
            #expect(try await reload(db, account)?.balance == 1)
        }
    }

    @Test func aConnectionLostDuringAnAutocommitStatementIsAnUnknownOutcome() async throws {
        try await withDatabase(.postgres, poolSize: 2) { db in
            try await createKeys(db)
            await #expect {
                try await db.writeWithoutTransaction { tx in
                    try terminateOwnBackend(tx)
                    try tx.execute("INSERT INTO \(identifier: "keys") VALUES (\(Int64(1)))")
                }
            } throws: { error in
                (error as? DatabaseError)?.kind == .commitOutcomeUnknown
            }
        }
    }
}
