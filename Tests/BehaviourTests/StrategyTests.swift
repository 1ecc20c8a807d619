import Foundation
import Synchronization
import Testing
import VersionedORM

/// Every strategy of `modify`, on both databases: none but `.naive` loses an update.
@Suite struct StrategyTests {
    static let patient = RetryPolicy(maxAttempts: 1_000, backoff: .exponential(base: .microseconds(100), cap: .milliseconds(5)))

    /// The safe strategies, each with a contention that suits it: many tasks on one row.
    enum SafeIncrement: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case optimistic, pessimistic, atomic

        var testDescription: String { rawValue }
        var tasks: Int { self == .optimistic ? 25 : 8 }
        var timesEach: Int {
            switch self {
            case .optimistic: 5
            case .pessimistic: 10
            case .atomic: 50
            }
        }

        /// One increment; returns the attempts it took (for the atomic update: the rows it changed).
        func increment(_ db: Database, id: Int64) async throws -> Int {
            switch self {
            case .optimistic:
                try await db.modify(Account.self, id: id, using: .optimistic(retry: StrategyTests.patient)) { $0.balance += 1 }.attempts
            case .pessimistic:
                try await db.modify(Account.self, id: id, using: .pessimistic(.wait)) { $0.balance += 1 }.attempts
            case .atomic:
                try await db.write { tx in try Account.where { $0.id == id }.updateAll(tx) { $0.balance += 1 } }
            }
        }
    }

    @Test(arguments: Backend.allCases, SafeIncrement.allCases)
    func incrementsFromManyTasksAddUpExactly(backend: Backend, strategy: SafeIncrement) async throws {
        try await withDatabase(backend, poolSize: 8) { db in
            let account = try await seedAccounts(db, balances: [0])[0]
            let id = try #require(account.id)
            let attempts = try await runConcurrently(tasks: strategy.tasks, timesEach: strategy.timesEach) {
                try await strategy.increment(db, id: id)
            }
            let total = strategy.tasks * strategy.timesEach
            let final = try #require(try await reload(db, account))
            #expect(final.balance == Int64(total))
            #expect(final.version == Int64(total + 1))
            // Optimistic retries; a lock or an atomic update never conflicts.
            if strategy == .optimistic { #expect(attempts >= total) } else { #expect(attempts == total) }
        }
    }

    @Test(arguments: Backend.allCases)
    func ofManyCopiesAtOneVersionExactlyOneWinsAndTheRowHoldsItsValues(backend: Backend) async throws {
        try await withDatabase(backend, poolSize: 8) { db in
            let original = try await seedAccounts(db)[0]
            let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        do {
                            _ = try await db.write { tx in
                                var copy = original
                                copy.balance = Int64(1_000 + writer)
                                copy.note = "writer \(writer)"
                                try tx.save(&copy)
                            }
                            return (writer, true)
                        } catch is StaleRecordError {
                            return (writer, false)
                        }
                    }
                }
                return try await group.reduce(into: [(Int, Bool)]()) { $0.append($1) }
            }
            let winners = outcomes.filter(\.1).map(\.0)
            #expect(winners.count == 1)
            let stored = try #require(try await reload(db, original))
            let winner = try #require(winners.first)
            #expect(stored.balance == Int64(1_000 + winner))
            #expect(stored.note == "writer \(winner)")
            #expect(stored.version == 2)
        }
    }

    @Test(arguments: Backend.allCases)
    func aPermanentConflictTakesExactlyTheAllowedAttempts(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let original = try await seedAccounts(db)[0]
            _ = try await db.write { tx in var copy = original; try tx.touch(&copy); return copy }
            let tries = Counter()
            do {
                _ = try await RetryPolicy(maxAttempts: 3, backoff: .none).run { _ in
                    tries.increment()
                    // Always the same stale copy: a conflict no retry can fix.
                    try await db.write { tx in var copy = original; try tx.update(&copy) { $0.balance = 0 } }
                }
                Issue.record("a stale copy was saved")
            } catch let error as StaleRecordError {
                #expect(error.attempts == 3)
                #expect(error.retriesExhausted == .attempts)
            }
            #expect(tries.count == 3)
        }
    }

    @Test(arguments: Backend.allCases)
    func naiveReadModifyWriteLosesAnUpdateThatVersioningKeeps(backend: Backend) async throws {
        // The other writer is another client (its own pool, on SQLite its own writer), as another application
        // server would be: the modification runs on its own writer connection, so a write from the same client
        // inside `change` would be a nested transaction.
        try await withClients(backend, count: 2) { clients in
            let (db, other) = (clients[0], clients[1])
            let account = try await seedAccounts(db, balances: [0])[0]
            let id = try #require(account.id)
            // Between this modification's read and its write, another writer adds 100.
            @Sendable func interleave(_ strategy: LockStrategy) async throws -> Int64 {
                let interfered = Mutex(false)
                _ = try await db.modify(Account.self, id: id, using: strategy) { value in
                    let first = interfered.withLock { state in defer { state = true }; return !state }
                    if first {
                        try other.writeSync { tx in try Account.where { $0.id == id }.updateAll(tx) { $0.balance += 100 } }
                    }
                    value.balance += 1
                }
                return try #require(try await reload(db, account)).balance
            }
            #expect(try await interleave(.naive) == 1)  // the other writer's +100 is gone
            #expect(try await interleave(.optimistic(retry: Self.patient)) == 102)  // 1 + 100 + 1
            #expect(try await interleave(.merge(retry: Self.patient)) == 203)
        }
    }

    @Test(arguments: Backend.allCases)
    func naiveModificationsUnderContentionLoseUpdates(backend: Backend) async throws {
        // Four clients, as four application servers: within one client a modification reads and writes on its
        // writer connection, and SQLite's single writer serialises a client's own modifications.
        try await withClients(backend, count: 4, poolSize: 2) { clients in
            let account = try await seedAccounts(clients[0], balances: [0])[0]
            let id = try #require(account.id)
            let turn = Counter()
            // Read and write are two statements; other clients read the same value in between.
            try await runConcurrently(tasks: 8, timesEach: 20) {
                turn.increment()
                let db = clients[turn.count % clients.count]
                return try await db.modify(Account.self, id: id, using: .naive) { $0.balance += 1 }.attempts
            }
            let final = try #require(try await reload(clients[0], account))
            #expect(final.balance < 160, "8 × 20 naive increments kept all \(final.balance): no update was lost")
            print("[\(backend)] 8 × 20 naive increments under contention kept \(final.balance) of 160")
        }
    }

    @Test(arguments: Backend.allCases)
    func aModificationReadsAndWritesOnOneConnectionWithoutATransaction(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            let account = try await seedAccounts(db, balances: [0])[0]
            let id = try #require(account.id)
            for strategy in [LockStrategy.optimistic(retry: Self.patient), .merge(retry: Self.patient), .naive] {
                log.clear()
                _ = try await db.modify(Account.self, id: id, using: strategy) { $0.balance += 1 }
                // The version check is in the UPDATE: BEGIN and COMMIT would only add round trips.
                #expect(log.statements.count == 2, "\(strategy): \(log.statements)")
                #expect(log.statements.first?.hasPrefix("SELECT") == true)
                #expect(log.statements.last?.hasPrefix("UPDATE") == true)
            }
            #expect(try await reload(db, account)?.balance == 3)
        }
    }

    /// The read of a modification is on the writer connection: on SQLite, whose one writer serialises a client's
    /// writes, even naive modifications from one client lose nothing (separate clients still do, see
    /// ``naiveModificationsUnderContentionLoseUpdates(backend:)``). Were the read on a reader connection, the
    /// window between it and the write would span a hop to the writer and its queue.
    @Test func sqliteModificationsOfOneClientQueueOnItsWriter() async throws {
        try await withDatabase(.sqlite, poolSize: 8) { db in
            let account = try await seedAccounts(db, balances: [0])[0]
            let id = try #require(account.id)
            let attempts = try await runConcurrently(tasks: 8, timesEach: 20) {
                try await db.modify(Account.self, id: id, using: .naive) { $0.balance += 1 }.attempts
                    + db.modify(Account.self, id: id, using: .optimistic(retry: .never)) { $0.balance += 1 }.attempts
            }
            #expect(attempts == 320)
            #expect(try await reload(db, account)?.balance == 320)
        }
    }

    @Test(arguments: Backend.allCases)
    func mergeReappliesDisjointChangesWithoutRerunningTheClosure(backend: Backend) async throws {
        // The other writer is another client (its own pool, on SQLite its own writer), as another application
        // server would be: the modification runs on its own writer connection, so a write from the same client
        // inside `change` would be a nested transaction.
        try await withClients(backend, count: 2) { clients in
            let (db, other) = (clients[0], clients[1])
            let account = try await seedAccounts(db, balances: [50])[0]
            let id = try #require(account.id)
            let runs = Counter()
            let result = try await db.modify(Account.self, id: id, using: .merge(retry: Self.patient)) { value in
                runs.increment()
                if runs.count == 1 {
                    // Another writer changes only the note meanwhile.
                    try other.writeSync { tx in try Account.where { $0.id == id }.updateAll(tx) { $0.note = .value("theirs") } }
                }
                value.balance += 5
            }
            #expect(result.attempts == 2)
            #expect(runs.count == 1)
            let stored = try #require(try await reload(db, account))
            #expect(stored.balance == 55 && stored.note == "theirs")
            #expect(stored.version == 3)
            #expect(result.value == stored)
        }
    }

    @Test(arguments: Backend.allCases)
    func mergeRerunsTheClosureWhenChangesOverlap(backend: Backend) async throws {
        // The other writer is another client (its own pool, on SQLite its own writer), as another application
        // server would be: the modification runs on its own writer connection, so a write from the same client
        // inside `change` would be a nested transaction.
        try await withClients(backend, count: 2) { clients in
            let (db, other) = (clients[0], clients[1])
            let account = try await seedAccounts(db, balances: [50])[0]
            let id = try #require(account.id)
            let runs = Counter()
            let result = try await db.modify(Account.self, id: id, using: .merge(retry: Self.patient)) { value in
                runs.increment()
                if runs.count == 1 {
                    try other.writeSync { tx in try Account.where { $0.id == id }.updateAll(tx) { $0.balance += 100 } }
                }
                value.balance += 5
            }
            #expect(result.attempts == 2)
            #expect(runs.count == 2)
            #expect(try await reload(db, account)?.balance == 155)
        }
    }

    @Test(arguments: Backend.allCases)
    func noWaitOnALockedRowFailsAtOnce(backend: Backend) async throws {
        try await withDatabase(backend, poolSize: 4) { db in
            let account = try await seedAccounts(db)[0]
            let id = try #require(account.id)
            try await whileAnotherTransactionHolds(db, { tx in _ = try Account.where { $0.id == id }.forUpdate().fetchAll(tx) }) {
                let started = ContinuousClock.now
                do {
                    _ = try await db.modify(Account.self, id: id, using: .pessimistic(.noWait)) { $0.balance += 1 }
                    Issue.record("NOWAIT modified a locked row")
                } catch let error as DatabaseError {
                    #expect(error.kind == .lockNotAvailable)
                }
                #expect(ContinuousClock.now - started < .seconds(2))
            }
            #expect(try await reload(db, account)?.balance == account.balance)
        }
    }

    @Test(arguments: Backend.allCases)
    func skipLockedWorkersNeverClaimAJobTwice(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log, poolSize: 6) { db in
            let jobCount = 60
            try await db.write { tx in
                try tx.createTable(Job.self)
                for number in 0..<jobCount {
                    var job = Job(title: "job \(number)")
                    try tx.insert(&job)
                }
            }
            let claims = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var claimed: [Int64] = []
                        while let id = try await db.write({ tx -> Int64? in
                            let next = Job.where { $0.claimedBy == nil }.order { [$0.id.ascending] }
                                .limit(1).forUpdate(.skipLocked)
                            guard var job = try next.fetchOne(tx) else { return nil }
                            try tx.update(&job) { $0.claimedBy = "worker \(worker)" }
                            return job.id
                        }) {
                            claimed.append(id)
                        }
                        return claimed
                    }
                }
                return try await group.reduce(into: [Int64]()) { $0 += $1 }
            }
            #expect(claims.count == jobCount)
            #expect(Set(claims).count == jobCount)
            let unclaimed = try await db.read { tx in try Job.where { $0.claimedBy == nil }.count(tx) }
            #expect(unclaimed == 0)
            let lockClauses = log.statements.filter { $0.contains("FOR UPDATE") }
            switch backend {
            case .postgres: #expect(lockClauses.allSatisfy { $0.hasSuffix("FOR UPDATE SKIP LOCKED") } && !lockClauses.isEmpty)
            case .sqlite: #expect(lockClauses.isEmpty)
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func rowLocksOutsideAWriteTransactionAreAnError(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            try await seedAccounts(db)
            log.clear()
            await #expect(throws: UsageError.rowLockOutsideWriteTransaction) {
                try await db.read { tx in try Account.all().forUpdate().fetchAll(tx) }
            }
            #expect(log.dataStatements.isEmpty)
            await #expect(throws: SchemaError.self) {
                try await db.write { tx in try Account.all().forUpdate(of: ["no such; table"]).fetchAll(tx) }
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func skipLockedLeavesALockedRowAloneAndSaysSo(backend: Backend) async throws {
        try await withDatabase(backend, poolSize: 4) { db in
            let account = try await seedAccounts(db)[0]
            let id = try #require(account.id)
            if backend == .sqlite {
                // SQLite's write transaction holds the whole database: no row is ever locked by someone else
                // inside it, so SKIP LOCKED skips nothing.
                let result = try await db.modify(Account.self, id: id, using: .pessimistic(.skipLocked)) { $0.balance += 1 }
                #expect(result.value.balance == 101)
                return
            }
            try await whileAnotherTransactionHolds(db, { tx in _ = try Account.where { $0.id == id }.forUpdate().fetchAll(tx) }) {
                await #expect(throws: ModificationError.skippedLocked(model: "Account", id: AnyPrimaryKey(id))) {
                    _ = try await db.modify(Account.self, id: id, using: .pessimistic(.skipLocked)) { $0.balance += 1 }
                }
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func modifyingAMissingRowSaysSo(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await seedAccounts(db)
            for strategy in [LockStrategy.naive, .optimistic(retry: .never), .pessimistic(.wait), .merge(retry: .never)] {
                await #expect(throws: ModificationError.notFound(model: "Account", id: 999)) {
                    _ = try await db.modify(Account.self, id: 999, using: strategy) { $0.balance += 1 }
                }
            }
        }
    }
}
