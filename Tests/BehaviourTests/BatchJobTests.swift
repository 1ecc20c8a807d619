import Synchronization
import Testing
import VersionedORM

@Suite struct BatchJobTests {
    /// Accounts with balances 1…count; their keys in order.
    private func seed(_ db: Database, count: Int) async throws -> [Int64] {
        try await db.write { tx in
            try tx.createTable(Account.self)
            var accounts = (1...count).map { Account(owner: "owner\($0)", balance: Int64($0)) }
            try tx.insert(&accounts)
            return accounts.compactMap(\.id)
        }
    }

    private func balances(_ db: Database) async throws -> [Int64: Account] {
        let all = try await db.read { tx in try Account.all().fetchAll(tx) }
        return Dictionary(uniqueKeysWithValues: all.compactMap { account in account.id.map { ($0, account) } })
    }

    @Test(arguments: Backend.allCases)
    func everyMatchingRowIsVisitedOnceInChunksAndSavedWithItsVersion(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let keys = try await seed(db, count: 1_234)
            let reported = Mutex<[BatchProgress]>([])
            let report = try await db.updateEach(Account.where { $0.balance > 34 }, chunkSize: 100,
                                                 progress: { progress in reported.withLock { $0.append(progress) } }) {
                $0.balance *= 10
            }
            #expect(report.visited == 1_200)
            #expect(report.saved == Array(keys[34...]))
            #expect(report.retried.isEmpty && report.skippedStale.isEmpty && report.deleted.isEmpty)
            let progress = reported.withLock { $0 }
            #expect(progress.map(\.done) == Array(stride(from: 100, through: 1_200, by: 100)))
            #expect(progress.allSatisfy { $0.total == 1_200 })
            let rows = try await balances(db)
            for (index, key) in keys.enumerated() {
                let original = Int64(index + 1)
                #expect(rows[key]?.balance == (original > 34 ? original * 10 : original))
                #expect(rows[key]?.version == (original > 34 ? 2 : 1))
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func rowsTheChangeLeavesAloneAreNotWritten(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            _ = try await seed(db, count: 10)
            let report = try await db.updateEach(Account.all(), chunkSize: 3) { account in
                if account.balance.isMultiple(of: 2) { account.note = "even" }
            }
            #expect(report.saved.count == 5)
            #expect(report.unchanged == 5)
            let rows = try await balances(db).values
            #expect(rows.filter { $0.version == 1 }.allSatisfy { $0.note == nil && !$0.balance.isMultiple(of: 2) })
        }
    }

    /// Another writer changes (or deletes) row `victim` after the job read its chunk and before it writes it:
    /// the change closure runs between the two, so the edit lands exactly there.
    private func runAgainstAnEdit(
        _ db: Database, victim: Int64, onStale: StaleRowPolicy,
        edit: @escaping @Sendable (Transaction) throws -> Void
    ) async throws -> BatchReport<Int64> {
        let edited = Mutex(false)
        return try await db.updateEach(Account.where { $0.balance < 500 }, chunkSize: 4, onStale: onStale) { account in
            if account.id == victim, !edited.withLock({ done in defer { done = true }; return done }) {
                try db.writeSync { tx in try edit(tx) }
            }
            account.balance += 1
        }
    }

    @Test(arguments: Backend.allCases)
    func aRowEditedMeanwhileIsRetriedWithItsFreshValueAndTheEditKept(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let keys = try await seed(db, count: 10)
            let victim = keys[5]
            let report = try await runAgainstAnEdit(db, victim: victim, onStale: .retry) { tx in
                var row = try #require(try tx.find(Account.self, id: victim))
                try tx.update(&row) { $0.balance += 100 }
            }
            #expect(report.saved.count == 10)
            #expect(report.retried == [victim])
            let rows = try await balances(db)
            #expect(rows[victim]?.balance == Int64(6 + 100 + 1))
            #expect(rows[victim]?.version == 3)
            #expect(rows[keys[4]]?.balance == 6)
        }
    }

    @Test(arguments: Backend.allCases)
    func aRowEditedMeanwhileIsSkippedWhenAskedAndTheEditKept(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let keys = try await seed(db, count: 10)
            let victim = keys[2]
            let report = try await runAgainstAnEdit(db, victim: victim, onStale: .skip) { tx in
                var row = try #require(try tx.find(Account.self, id: victim))
                try tx.update(&row) { $0.note = "theirs" }
            }
            #expect(report.skippedStale == [victim])
            #expect(report.saved == keys.filter { $0 != victim })
            let row = try #require(try await balances(db)[victim])
            #expect(row.balance == 3 && row.note == "theirs" && row.version == 2)
        }
    }

    @Test(arguments: Backend.allCases)
    func aRowEditedMeanwhileFailsTheJobWhenAskedAndItsChunkIsRolledBack(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let keys = try await seed(db, count: 10)
            // Chunks of four: the victim is the second row of the second chunk.
            let victim = keys[5]
            do {
                _ = try await runAgainstAnEdit(db, victim: victim, onStale: .fail) { tx in
                    var row = try #require(try tx.find(Account.self, id: victim))
                    try tx.update(&row) { $0.balance += 100 }
                }
                Issue.record("the job went on past a stale row")
            } catch let error as BatchUpdateError<Int64> {
                #expect(error.report.saved == Array(keys[0..<4]))
                #expect((error.underlying as? StaleRecordError)?.primaryKey == AnyPrimaryKey(victim))
            }
            let rows = try await balances(db)
            #expect(keys[0..<4].allSatisfy { rows[$0]?.version == 2 })
            #expect(keys[4...].filter { $0 != victim }.allSatisfy { rows[$0]?.version == 1 })
            #expect(rows[victim]?.balance == 106)
        }
    }

    @Test(arguments: Backend.allCases)
    func deletedAndNoLongerMatchingRowsAreReportedAndLeftAlone(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let keys = try await seed(db, count: 10)
            let deleted = try await runAgainstAnEdit(db, victim: keys[1], onStale: .retry) { tx in
                let row = try #require(try tx.find(Account.self, id: keys[1]))
                try tx.delete(row)
            }
            #expect(deleted.deleted == [keys[1]])
            // Moved out of the filter (balance < 500) by the other writer: the retry finds it no longer matching.
            let moved = try await runAgainstAnEdit(db, victim: keys[3], onStale: .retry) { tx in
                var row = try #require(try tx.find(Account.self, id: keys[3]))
                try tx.update(&row) { $0.balance = 1_000 }
            }
            #expect(moved.noLongerMatching == [keys[3]])
            #expect(try await balances(db)[keys[3]]?.balance == 1_000)
        }
    }

    @Test(arguments: Backend.allCases)
    func concurrentEditorsLoseNoEditWhileTheJobRuns(backend: Backend) async throws {
        try await withClients(backend, count: 2) { databases in
            let (job, editors) = (databases[0], databases[1])
            let keys = try await seed(job, count: 2_000)
            let edits = EditTally()
            let report = try await withThrowingTaskGroup(of: BatchReport<Int64>?.self) { group in
                group.addTask {
                    try await job.updateEach(Account.all(), chunkSize: 50, onStale: .retry(attempts: 10)) {
                        $0.balance += 1_000_000
                    }
                }
                for _ in 0..<8 {
                    group.addTask {
                        var random = SystemRandomNumberGenerator()
                        for _ in 0..<40 {
                            let key = keys[Int.random(in: 0..<keys.count, using: &random)]
                            _ = try await editors.modify(Account.self, id: key, using: .optimistic(retry: RetryPolicy(maxAttempts: 50))) {
                                $0.balance += 1
                            }
                            edits.record(key)
                        }
                        return nil
                    }
                }
                var report: BatchReport<Int64>?
                for try await result in group { if let result { report = result } }
                return try #require(report)
            }
            #expect(report.skippedStale.isEmpty)
            #expect(Set(report.saved).count == keys.count)
            let rows = try await balances(job)
            let made = edits.counts
            for (index, key) in keys.enumerated() {
                #expect(rows[key]?.balance == Int64(index + 1) + 1_000_000 + made[key, default: 0])
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func badArgumentsAreRefusedBeforeAnythingIsWritten(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            _ = try await seed(db, count: 3)
            await #expect(throws: UsageError.self) { try await db.updateEach(Account.all(), chunkSize: 0) { $0.balance = 0 } }
            await #expect(throws: UsageError.self) {
                try await db.updateEach(Account.order { [$0.balance.ascending] }) { $0.balance = 0 }
            }
            await #expect(throws: UsageError.self) {
                try await db.updateEach(Account.all().limit(2)) { $0.balance = 0 }
            }
            await #expect(throws: UsageError.self) {
                try await db.updateEach(Account.all(), onStale: .retry(attempts: 0)) { $0.balance = 0 }
            }
            #expect(try await balances(db).values.allSatisfy { $0.version == 1 && $0.balance != 0 })
        }
    }
}

/// The edits each row received, from many tasks.
private final class EditTally: Sendable {
    private let edits = Mutex<[Int64: Int64]>([:])

    func record(_ key: Int64) { edits.withLock { $0[key, default: 0] += 1 } }
    var counts: [Int64: Int64] { edits.withLock { $0 } }
}
