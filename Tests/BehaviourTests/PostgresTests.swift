import Foundation
import PostgresDriver
import Synchronization
import Testing
import VersionedORM

/// Behaviour only PostgreSQL has: row locks that make writers wait, isolation levels, aborted transactions.
@Suite struct PostgresTests {
    /// Runs the race of issue 3: A updates a row and holds its transaction open; B's versioned update of the same
    /// row waits for A's row lock; then A commits or rolls back. Returns B's outcome.
    private func race(commitFirst: Bool, isolation: TransactionOptions.IsolationLevel?) async throws -> Result<Account, any Error> {
        var outcome: Result<Account, any Error>?
        try await withDatabase(.postgres, poolSize: 4) { db in
            let original = try await seedAccounts(db)[0]
            let holding = Gate()
            let release = Gate()
            let holderPID = Mutex<Int>(0)
            let writerA = Task {
                try await db.write { tx in
                    var copy = original
                    try tx.update(&copy) { $0.balance = 1 }
                    let pid = try tx.fetchValue(Int.self, "SELECT pg_backend_pid()") ?? 0
                    holderPID.withLock { $0 = pid }
                    holding.open()
                    release.waitBlocking()
                    if !commitFirst { throw ExpectedFailure() }
                }
            }
            await holding.wait()
            let writerB = Task {
                try await db.write(options: TransactionOptions(isolation: isolation)) { tx in
                    var copy = original
                    try tx.update(&copy) { $0.note = "from B" }
                    return copy
                }
            }
            let pid = holderPID.withLock { $0 }
            try await waitUntilSomeoneWaits(on: pid, in: db, "B waits for A's row lock")
            release.open()
            _ = await writerA.result
            outcome = await writerB.result
            let stored = try #require(try await reload(db, original))
            if commitFirst {
                #expect(stored.balance == 1 && stored.note == nil && stored.version == 2)
            } else {
                #expect(stored.balance == original.balance)
            }
        }
        return try #require(outcome)
    }

    @Test func aWaitingVersionedUpdateIsStaleWhenTheHolderCommits() async throws {
        let outcome = try await race(commitFirst: true, isolation: nil)
        switch outcome {
        case .success: Issue.record("B's update succeeded over A's committed change")
        case .failure(let error):
            let stale = try #require(error as? StaleRecordError, "\(error)")
            #expect(stale.current == .modified(currentVersion: 2))
        }
    }

    @Test func aWaitingVersionedUpdateSucceedsWhenTheHolderRollsBack() async throws {
        let outcome = try await race(commitFirst: false, isolation: nil)
        let saved = try outcome.get()
        #expect(saved.version == 2)
        #expect(saved.note == "from B")
    }

    @Test(arguments: [TransactionOptions.IsolationLevel.repeatableRead, .serializable])
    func underSnapshotIsolationTheRaceIsARetryableConflict(isolation: TransactionOptions.IsolationLevel) async throws {
        let outcome = try await race(commitFirst: true, isolation: isolation)
        switch outcome {
        case .success: Issue.record("B's update succeeded over A's committed change")
        case .failure(let error):
            let conflict = try #require(error as? DatabaseError, "\(error)")
            #expect(conflict.kind == .transientConflict)
            #expect(conflict.code == "40001")
            #expect(conflict.isTransient)
        }
    }

    @Test func aStaleConflictDoesNotPoisonTheTransaction() async throws {
        try await withDatabase(.postgres) { db in
            let accounts = try await seedAccounts(db, balances: [1, 2])
            _ = try await db.write { tx in var copy = accounts[0]; try tx.touch(&copy); return copy }
            let after = try await db.write { tx -> Int64 in
                var stale = accounts[0]
                do { try tx.update(&stale) { $0.balance = 99 } } catch is StaleRecordError {}
                var other = accounts[1]
                try tx.update(&other) { $0.balance = 20 }
                return other.version
            }
            #expect(after == 2)
            #expect(try await reload(db, accounts[1])?.balance == 20)
        }
    }

    @Test func afterAFailedStatementOnlyRollbackOrASavepointRecovers() async throws {
        try await withDatabase(.postgres) { db in
            try await seedAccounts(db)
            let kinds = Mutex<[DatabaseError.Kind]>([])
            await #expect(throws: DatabaseError.self) {
                try await db.write { tx in
                    do {
                        try tx.savepoint { tx in try tx.execute("SELECT * FROM \(identifier: "missing_table")") }
                    } catch let error as DatabaseError { kinds.withLock { $0.append(error.kind) } }
                    // The savepoint rolled the failure back: the transaction goes on.
                    let count = try Account.all().count(tx)
                    kinds.withLock { $0.append(count == 1 ? .other : .invalidValue) }
                    do { try tx.execute("SELECT * FROM \(identifier: "missing_table")") } catch let error as DatabaseError { kinds.withLock { $0.append(error.kind) } }
                    do { _ = try Account.all().count(tx) } catch let error as DatabaseError { kinds.withLock { $0.append(error.kind) } }
                }
            }
            #expect(kinds.withLock { $0 } == [.invalidStatement, .other, .invalidStatement, .transactionAborted])
        }
    }

    @Test func aConnectionKilledWhileIdleIsReplaced() async throws {
        try await withDatabase(.postgres, poolSize: 1) { db in
            let first = try await db.read { tx in try tx.fetchValue(Int.self, "SELECT pg_backend_pid()") }
            let admin = try await Database.postgres(url: try Backend.postgresURL, configuration: PostgresConfiguration(poolSize: 1))
            let terminated = try await admin.write { tx in try tx.fetchValue(Bool.self, "SELECT pg_terminate_backend(CAST(\(first ?? 0) AS INTEGER))") }
            await admin.close()
            #expect(terminated == true)
            try await Task.sleep(for: .milliseconds(100))
            let second = try await db.read { tx in try tx.fetchValue(Int.self, "SELECT pg_backend_pid()") }
            #expect(second != nil && second != first)
        }
    }

    @Test func connectionErrorsNeverShowThePassword() async throws {
        do {
            _ = try await Database.postgres(url: "postgresql://someone:hunter2-secret@/postgres?host=/nonexistent-directory&connect_timeout=2")
            Issue.record("connected to a server that does not exist")
        } catch let error as DatabaseError {
            #expect(error.kind == .connectionLost)
            #expect(!error.description.contains("hunter2"))
            #expect(!"\(error.message)".contains("hunter2"))
        }
    }

    @Test func libpqEnvironmentVariablesApply() async throws {
        setenv("PGAPPNAME", "versioned-orm-env-test", 1)
        defer { unsetenv("PGAPPNAME") }
        try await withDatabase(.postgres) { db in
            let name = try await db.read { tx in try tx.fetchValue(String.self, "SELECT current_setting('application_name')") }
            #expect(name == "versioned-orm-env-test")
        }
    }

    @Test func columnTypesMapToNaturalPostgresTypes() async throws {
        try await withDatabase(.postgres) { db in
            let types = try await db.write { tx -> [String: String] in
                try tx.createTable(Sample.self)
                let rows = try tx.fetchRows("""
                    SELECT column_name, data_type, is_nullable FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name = \("samples")
                    """)
                var types: [String: String] = [:]
                for row in rows {
                    guard case .text(let name) = row[0], case .text(let type) = row[1], case .text(let nullable) = row[2] else { continue }
                    types[name] = type + (nullable == "YES" ? "?" : "")
                }
                return types
            }
            #expect(types["id"] == "bigint")
            #expect(types["flag"] == "boolean")
            #expect(types["int"] == "bigint")
            #expect(types["int32"] == "integer")
            #expect(types["int64"] == "bigint")
            #expect(types["double"] == "double precision")
            #expect(types["text"] == "text")
            #expect(types["data"] == "bytea")
            #expect(types["date"] == "timestamp with time zone")
            #expect(types["uuid"] == "uuid")
            #expect(types["optional_uuid"] == "uuid?")
            #expect(types["version"] == "bigint")
        }
    }
}
