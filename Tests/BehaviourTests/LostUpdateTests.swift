import Testing
import VersionedORMMacros

/// The reproduction from the inventory trial: guarded bulk decrements beside optimistic read-modify-writes of
/// the same column. With an unversioned bulk write the optimistic writer's check could not see the decrements
/// and wrote its absolute value over them; the bulk update now bumps the version by default, so the total is
/// exact.
@Suite struct LostUpdateTests {
    @Test(arguments: Backend.allCases)
    func guardedDecrementsBesideOptimisticIncrementsEndExact(backend: Backend) async throws {
        try await withDatabase(backend, poolSize: 6) { db in
            let opening: Int64 = 10_000
            let id = try #require(try await seedAccounts(db, balances: [opening])[0].id)
            let decrementers = 8, decrements = 250, incrementers = 4, increments = 200
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<decrementers {
                    group.addTask {
                        for _ in 0..<decrements {
                            let changed = try await db.write(retry: RetryPolicy()) { tx in
                                try Account.where { $0.id == id && $0.balance >= 1 }.updateAll(tx) { $0.balance -= 1 }
                            }.value
                            #expect(changed == 1)
                        }
                    }
                }
                for _ in 0..<incrementers {
                    group.addTask {
                        for _ in 0..<increments {
                            _ = try await db.modify(Account.self, id: id, using: .optimistic(retry: RetryPolicy())) {
                                $0.balance += 1
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let final = try #require(try await db.read { tx in try tx.find(Account.self, id: id) })
            #expect(final.balance == opening - Int64(decrementers * decrements) + Int64(incrementers * increments))
            #expect(final.version == Int64(1 + decrementers * decrements + incrementers * increments))
        }
    }
}
