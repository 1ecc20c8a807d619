import Foundation
import PostgresDriver
import Synchronization
import Testing
import VersionedORM

/// PostgreSQL behind a transaction-pooling PgBouncer (two server connections) that scripts/with-postgres.sh
/// starts. The pooler shares one database and cannot pass a per-test search_path, so these tests run one at a
/// time in the public schema and create their tables afresh.
@Suite(.serialized) struct PoolerTests {
    static var poolerURL: String {
        get throws { try requiredEnvironment("VERSIONED_ORM_PGBOUNCER_URL", startedBy: "PgBouncer") }
    }

    private func pooled(_ mode: PostgresConfiguration.StatementMode, poolSize: Int = 1) async throws -> Database {
        try await Database.postgres(configuration: PostgresConfiguration(
            connectionString: try Self.poolerURL, poolSize: poolSize, statementMode: mode))
    }

    /// A fresh `pooler_accounts` table in the public schema, with `balances`.
    private func freshAccounts(_ db: Database, balances: [Int64]) async throws -> [PooledAccount] {
        try await db.write { tx in
            try tx.execute("DROP TABLE IF EXISTS \(identifier: "pooler_accounts")")
            try tx.createTable(PooledAccount.self)
            return try balances.map { balance in
                var account = PooledAccount(balance: balance)
                try tx.insert(&account)
                return account
            }
        }
    }

    @Test func namedStatementsOnTheWrongServerConnectionFailAsAMismatchNeverAsAnotherStatement() async throws {
        let setup = try await pooled(.unnamed)
        let accounts = try await freshAccounts(setup, balances: [10, 20])
        let reader = try await pooled(.namedPrepared)
        let deleter = try await pooled(.namedPrepared)
        let holder = try await pooled(.unnamed)
        var mismatches = 0
        for round in 0..<10 {
            // The other client prepares its own statement on some server connection; it meets the mix-up too, and
            // must only ever fail, never run something else.
            do {
                try await deleter.writeWithoutTransaction { tx in
                    let missing = Int64(1_000 + round)
                    try PooledAccount.where { $0.id == missing }.updateAll(tx) { $0.balance = .value(0) }
                }
            } catch let error as DatabaseError {
                #expect(error.kind == .preparedStatementMismatch, "\(error)")
            }
            // The reader prepares and runs its query; then, while another client holds one of the two server
            // connections, runs it again, so it may land on a server connection that lacks its statement.
            for step in 0..<2 {
                let held = Gate()
                let release = Gate()
                let holding = Task {
                    try await holder.write { tx in
                        try tx.execute("SELECT 1")
                        held.open()
                        release.waitBlocking()
                    }
                }
                if step == 1 { await held.wait() }
                do {
                    // The query builder's statements are kept prepared: named, in this mode.
                    let first = try #require(accounts[0].id)
                    let balance = try await reader.read { tx in try PooledAccount.where { $0.id == first }.fetchOne(tx)?.balance }
                    #expect(balance == 10)
                } catch let error as DatabaseError {
                    #expect(error.kind == .preparedStatementMismatch, "\(error)")
                    #expect(error.message.contains("statementMode: .unnamed"))
                    mismatches += 1
                }
                if step == 0 { await held.wait() }
                release.open()
                try await holding.value
            }
        }
        // Both rows are still there, unchanged: no query ever ran another client's statement.
        let balances = try await setup.read { tx in try PooledAccount.all().fetchAll(tx).map(\.balance).sorted() }
        #expect(balances == [10, 20])
        #expect(mismatches > 0, "the pooler never moved the reader: the test did not exercise the mix-up")
        for db in [setup, reader, deleter, holder] { await db.close() }
    }

    @Test func optimisticTransfersThroughAPoolOfTwoKeepTheSumExact() async throws {
        let db = try await pooled(.unnamed, poolSize: 16)
        let accounts = try await freshAccounts(db, balances: Array(repeating: 1_000, count: 8))
        let ids = accounts.map { $0.id! }
        let attempts = Counter()
        try await runConcurrently(tasks: 16, timesEach: 200) {
            let from = ids.randomElement()!
            let to = ids.filter { $0 != from }.randomElement()!
            let moved = try await db.write(retry: RetryPolicy(maxAttempts: 100)) { tx -> Bool in
                guard var source = try tx.find(PooledAccount.self, id: from),
                      var target = try tx.find(PooledAccount.self, id: to), source.balance >= 5 else { return false }
                try tx.update(&source) { $0.balance -= 5 }
                try tx.update(&target) { $0.balance += 5 }
                return true
            }
            for _ in 0..<moved.attempts { attempts.increment() }
            return 1
        }
        let stored = try await db.read { tx in try PooledAccount.all().fetchAll(tx) }
        #expect(stored.map(\.balance).reduce(0, +) == 8_000)
        print("[pgbouncer] 16 × 200 transfers through 2 server connections: \(attempts.count) attempts")
        await db.close()
    }

    @Test func byteaReadsInWhicheverOutputFormTheServerConnectionWasLeftIn() async throws {
        let bytes = Data((0...255).map { UInt8($0) } + Array("\\'\"x".utf8))
        // Deterministic: the escape form in our own transaction on the direct server.
        try await withDatabase(.postgres) { db in
            let read = try await db.read { tx -> Data? in
                try tx.execute("SET LOCAL bytea_output = 'escape'")
                return try tx.fetchValue(Data.self, "SELECT \(bytes)")
            }
            #expect(read == bytes)
        }
        // As it happens in production: another client of the pooler leaves escape on the server connections.
        let raw = try await pooled(.unnamed, poolSize: 2)
        let db = try await pooled(.unnamed)
        for _ in 0..<4 {
            try await raw.writeWithoutTransaction { tx in try tx.execute("SET bytea_output = 'escape'") }
            let read = try await db.read { tx in try tx.fetchValue(Data.self, "SELECT \(bytes)") }
            #expect(read == bytes)
        }
        try await raw.writeWithoutTransaction { tx in try tx.execute("RESET bytea_output") }
        await raw.close()
        await db.close()
    }
}

/// An account in the public schema, for the pooler tests.
struct PooledAccount: Model {
    let id: Int64?
    var balance: Int64
    var version: Int64 = 0

    static let schema = Schema<PooledAccount>(table: "pooler_accounts", primaryKey: \.id, version: \.version) {
        Column("balance", \.balance)
    }

    init(balance: Int64) { id = nil; self.balance = balance }

    init(row: inout Row) throws { id = try row.next(); balance = try row.next(); version = try row.next() }
}

/// What a distributed PostgreSQL-compatible engine does on contention, and what may never be retried. Failures
/// are raised with the SQLSTATE the engines use; a sequence counts attempts, since it survives the rollbacks.
@Suite struct TransactionRetryTests {
    private func failing(_ db: Database, code: String, times: Int64,
                         policy: RetryPolicy = RetryPolicy(maxAttempts: 5, backoff: .none)) async throws -> (Result<Retried<Int64>, any Error>, Int64) {
        let account = try await seedAccounts(db)[0]
        try await db.write { tx in try tx.execute("CREATE SEQUENCE \(identifier: "attempts")") }
        let outcome: Result<Retried<Int64>, any Error>
        do {
            outcome = .success(try await db.write(retry: policy) { tx -> Int64 in
                var copy = try #require(try tx.find(Account.self, id: account.id!))
                try tx.update(&copy) { $0.balance += 1 }
                let attempt = try tx.fetchValue(Int64.self, "SELECT nextval('attempts')") ?? 0
                if attempt <= times {
                    try tx.execute(SQL(unsafeRaw: "DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '\(code)'; END $$"))
                }
                return attempt
            })
        } catch {
            outcome = .failure(error)
        }
        let stored = try #require(try await reload(db, account))
        return (outcome, stored.balance - account.balance)
    }

    @Test(arguments: ["40001", "40P01"])
    func aWriteWithARetryPolicyRunsTheWholeTransactionAgain(code: String) async throws {
        try await withDatabase(.postgres) { db in
            let (outcome, applied) = try await failing(db, code: code, times: 2)
            #expect(try outcome.get().attempts == 3)
            #expect(applied == 1)
        }
    }

    @Test(arguments: ["40003", "08007"])
    func anUnknownCompletionIsNeverRetried(code: String) async throws {
        try await withDatabase(.postgres) { db in
            let (outcome, _) = try await failing(db, code: code, times: 1)
            #expect(throws: DatabaseError.self) { try outcome.get() }
            if case .failure(let error as DatabaseError) = outcome { #expect(error.kind == .commitOutcomeUnknown) }
            let attempts = try await db.read { tx in try tx.fetchValue(Int64.self, "SELECT last_value FROM attempts") }
            #expect(attempts == 1)
        }
    }

    @Test func lockNotAvailableIsNotRetried() async throws {
        try await withDatabase(.postgres) { db in
            let (outcome, applied) = try await failing(db, code: "55P03", times: 1)
            if case .failure(let error as DatabaseError) = outcome { #expect(error.kind == .lockNotAvailable) } else {
                Issue.record("55P03 was retried")
            }
            #expect(applied == 0)
        }
    }

    @Test func aWriteOnAReadOnlyServerDropsTheConnectionAndIsRetried() async throws {
        try await withDatabase(.postgres, poolSize: 1) { db in
            let before = try await db.read { tx in try tx.fetchValue(Int.self, "SELECT pg_backend_pid()") }
            let (outcome, applied) = try await failing(db, code: "25006", times: 1)
            #expect(try outcome.get().attempts == 2)
            #expect(applied == 1)
            let after = try await db.read { tx in try tx.fetchValue(Int.self, "SELECT pg_backend_pid()") }
            #expect(before != after, "the connection that met a read-only server was kept")
        }
    }

    @Test func aReadOnlyRefusalInsideTheCallersOwnReadTransactionIsTheCallersMistake() async throws {
        try await withDatabase(.postgres) { db in
            try await seedAccounts(db)
            await #expect {
                try await db.read { tx in try tx.execute("DELETE FROM \(identifier: "accounts")") }
            } throws: { error in
                (error as? DatabaseError)?.kind == .readOnly
            }
        }
    }
}
