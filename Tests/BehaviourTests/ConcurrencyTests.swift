import Synchronization
import Testing
import VersionedORM

@Suite struct ConcurrencyTests {
    /// 8 tasks × 250 increments of one row, each read in one transaction and saved in another, retried when stale.
    /// A lost update would leave the balance short of 2000; a double bump would push the version past 2001.
    @Test(arguments: Backend.allCases)
    func versionedIncrementsLoseNothing(backend: Backend) async throws {
        try await withDatabase(backend, poolSize: 8) { db in
            let account = try await seedAccounts(db, balances: [0])[0]
            let id = try #require(account.id)
            let conflicts = Counter()
            try await runConcurrently(tasks: 8, timesEach: 250) {
                while true {
                    guard var current = try await db.read({ tx in try tx.find(Account.self, id: id) }) else {
                        throw ExpectedFailure()
                    }
                    current.balance += 1
                    do {
                        _ = try await db.write { [current] tx in var copy = current; try tx.save(&copy) }
                        return 1
                    } catch is StaleRecordError {
                        conflicts.increment()
                    }
                }
            }
            let final = try #require(try await reload(db, account))
            #expect(final.balance == 2000)
            #expect(final.version == 2001)
            print("[\(backend)] 8 × 250 versioned increments: \(conflicts.count) stale conflicts retried")
        }
    }
}
