import Clocks
import Foundation
import Testing
import VersionedORM
import VersionedORMTesting

/// The testing product on both databases: conflicts and failures it injects are the library's real ones.
@Suite struct TestingKitTests {
    static func database(_ backend: Backend, faults: DatabaseFaults, recorder: StatementRecorder? = nil,
                         _ body: (Database) async throws -> Void) async throws {
        try await withDatabase(backend, configure: { configuration in
            faults.install(in: &configuration)
            recorder?.install(in: &configuration)
        }, body)
    }

    @Test(arguments: Backend.allCases)
    func anInjectedConflictIsAGenuineStaleWriteThatARetryGetsPast(backend: Backend) async throws {
        let faults = DatabaseFaults()
        try await Self.database(backend, faults: faults) { db in
            let account = try await seedAccounts(db, balances: [100, 100])[0]
            let id = try #require(account.id)
            faults.conflictNextSaves(of: Account.self, id: id)
            let stale = await #expect(throws: StaleRecordError.self) {
                try await db.write { tx in
                    var copy = account
                    try tx.update(&copy) { $0.balance += 1 }
                }
            }
            #expect(stale?.current == .modified(currentVersion: 2))
            #expect(faults.fired.conflicts == 1 && !faults.isArmed)
            // The transaction rolled back, bump and all: the row is as it was.
            #expect(try await reload(db, account) == account)

            faults.conflictNextSaves(of: Account.self, times: 2)
            let result = try await db.modify(Account.self, id: id, using: .optimistic(retry: RetryPolicy(backoff: .none))) {
                $0.balance += 1
            }
            #expect(result.attempts == 3)
            // Autocommitted, the two competing bumps stayed, as other writers' saves would: 1 + 2 + 1.
            #expect(result.value.version == 4 && result.value.balance == 101)
        }
    }

    @Test(arguments: Backend.allCases)
    func injectedTransientFailuresAreRetriedAndOthersAreNot(backend: Backend) async throws {
        let faults = DatabaseFaults()
        try await Self.database(backend, faults: faults) { db in
            let account = try await seedAccounts(db)[0]
            let id = try #require(account.id)
            faults.failNextStatements(with: backend == .sqlite ? .busy : .serializationFailure, times: 2, onTable: "accounts")
            let retried = try await db.write(retry: RetryPolicy(backoff: .none)) { tx in
                guard var row = try tx.find(Account.self, id: id) else { return }
                try tx.update(&row) { $0.balance += 1 }
            }
            #expect(retried.attempts == 3)
            #expect(try await reload(db, account)?.balance == 101)
            faults.failNextStatements(with: .uniqueViolation)
            let refused = await #expect(throws: DatabaseError.self) {
                try await db.write(retry: RetryPolicy(backoff: .none)) { tx in
                    var another = Account(owner: "x", balance: 1)
                    try tx.insert(&another)
                }
            }
            #expect(refused?.kind == .uniqueViolation && refused?.attempts == 1)
            #expect(try await db.read { tx in try Account.all().count(tx) } == 1)
        }
    }

    @Test func aManualClockRecordsTheBackoffWithoutWaiting() async throws {
        let faults = DatabaseFaults()
        try await Self.database(.sqlite, faults: faults) { db in
            let account = try await seedAccounts(db)[0]
            let id = try #require(account.id)
            faults.conflictNextSaves(of: Account.self, times: 3)
            let clock = ManualRetryClock()
            let policy = RetryPolicy(backoff: .exponential(base: .seconds(1), cap: .seconds(30)), deadline: .seconds(60),
                                     clock: clock.retryClock, jitter: { $0 })
            let started = ContinuousClock.now
            let result = try await db.modify(Account.self, id: id, using: .optimistic(retry: policy)) { $0.balance += 1 }
            #expect(result.attempts == 4)
            #expect(clock.sleeps == [.seconds(1), .seconds(2), .seconds(4)])
            #expect(started.duration(to: .now) < .seconds(5))
            // The deadline is measured on the same clock: 1 + 2 + 4 + 8 + 16 + 30 s of waits pass 60 s, in no time.
            faults.conflictNextSaves(of: Account.self, times: 100)
            let gaveUp = await #expect(throws: StaleRecordError.self) {
                try await db.modify(Account.self, id: id, using: .optimistic(retry: policy)) { $0.balance += 1 }
            }
            #expect(gaveUp?.retriesExhausted == .deadline)
            // 31 s of waits; the next (30 s) would have started past the 60 s deadline of this run.
            #expect(Array(clock.sleeps.dropFirst(3)) == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16)])
            #expect(started.duration(to: .now) < .seconds(5))
        }
    }

    /// Any `Clock` drives the backoff through `RetryClock(_:)`: with swift-clocks' `ImmediateClock` four
    /// attempts with 1 + 2 + 4 s of waits finish at once, and the deadline is measured on that clock.
    @Test func aSwiftClocksImmediateClockDrivesTheBackoff() async throws {
        let faults = DatabaseFaults()
        try await Self.database(.sqlite, faults: faults) { db in
            let account = try await seedAccounts(db)[0]
            let id = try #require(account.id)
            let clock = ImmediateClock()
            let origin = clock.now
            let policy = RetryPolicy(backoff: .exponential(base: .seconds(1), cap: .seconds(30)), deadline: .seconds(60),
                                     clock: RetryClock(clock), jitter: { $0 })
            let started = ContinuousClock.now
            faults.conflictNextSaves(of: Account.self, times: 3)
            let result = try await db.modify(Account.self, id: id, using: .optimistic(retry: policy)) { $0.balance += 1 }
            #expect(result.attempts == 4)
            #expect(origin.duration(to: clock.now) == .seconds(7))
            faults.conflictNextSaves(of: Account.self, times: 100)
            let gaveUp = await #expect(throws: StaleRecordError.self) {
                try await db.modify(Account.self, id: id, using: .optimistic(retry: policy)) { $0.balance += 1 }
            }
            #expect(gaveUp?.retriesExhausted == .deadline)
            #expect(started.duration(to: .now) < .seconds(5))
        }
    }

    @Test(arguments: Backend.allCases)
    func theRecorderShowsWhatAPathSent(backend: Backend) async throws {
        let recorder = StatementRecorder()
        try await Self.database(backend, faults: DatabaseFaults(), recorder: recorder) { db in
            let account = try await seedAccounts(db)[0]
            let id = try #require(account.id)
            let sent = try await recorder.recording {
                _ = try await db.modify(Account.self, id: id, using: .optimistic(retry: RetryPolicy())) { $0.balance += 1 }
            }
            #expect(sent.filter { $0.hasPrefix("SELECT") }.count == 1)
            let updates = sent.filter { $0.hasPrefix("UPDATE") }
            #expect(updates.count == 1)
            #expect(updates.allSatisfy { $0.contains("\"version\" = ") && !$0.contains("101") })
        }
    }
}
