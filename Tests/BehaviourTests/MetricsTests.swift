import Foundation
import Metrics
import MetricsTestKit
import Testing
import VersionedORM
import VersionedORMMacros

/// swift-metrics can be bootstrapped once per process; every test that reads metrics shares this factory.
let testMetrics: TestMetrics = {
    let metrics = TestMetrics()
    MetricsSystem.bootstrap(metrics)
    return metrics
}()

@Suite(.serialized) struct MetricsTests {
    @Test(arguments: Backend.allCases)
    func conflictsRetriesAndLockTimeoutsAreCountedPerModel(backend: Backend) async throws {
        let metrics = testMetrics
        // The interfering writer is another client: the modification holds its own client's writer meanwhile.
        try await withClients(backend, count: 2, poolSize: 4) { clients in
            let (db, other) = (clients[0], clients[1])
            let counter = try await db.write { tx in
                try tx.createTable(MeteredCounter.self)
                var counter = MeteredCounter(value: 0)
                try tx.insert(&counter)
                return counter
            }
            let id = try #require(counter.id)
            let model = [("model", "MeteredCounter")]
            let conflictsBefore = metrics.counterTotal(label: ContentionMetrics.conflictsLabel, dimensions: model)
            let retriesBefore = metrics.counterTotal(label: ContentionMetrics.retriesLabel,
                                                     dimensions: model + [("reason", "stale")])
            let runs = Counter()
            let result = try await db.modify(MeteredCounter.self, id: id, using: .optimistic(retry: RetryPolicy(backoff: .none))) { value in
                runs.increment()
                if runs.count <= 2 {
                    try other.writeSync { tx in try MeteredCounter.where { $0.id == id }.updateAll(tx) { $0.value += 10 } }
                }
                value.value += 1
            }
            #expect(result.attempts == 3)
            #expect(metrics.counterTotal(label: ContentionMetrics.conflictsLabel, dimensions: model) - conflictsBefore == 2)
            #expect(metrics.counterTotal(label: ContentionMetrics.retriesLabel, dimensions: model + [("reason", "stale")])
                    - retriesBefore == 2)

            let timeoutsBefore = metrics.counterTotal(label: ContentionMetrics.lockTimeoutsLabel, dimensions: model)
            try await whileAnotherTransactionHolds(db, { tx in _ = try MeteredCounter.where { $0.id == id }.forUpdate().fetchAll(tx) }) {
                await #expect(throws: DatabaseError.self) {
                    _ = try await db.modify(MeteredCounter.self, id: id, using: .pessimistic(.noWait)) { $0.value += 1 }
                }
            }
            #expect(metrics.counterTotal(label: ContentionMetrics.lockTimeoutsLabel, dimensions: model) - timeoutsBefore == 1)
            _ = try await db.modify(MeteredCounter.self, id: id, using: .pessimistic(.wait)) { $0.value += 1 }
            #expect(!metrics.timers.filter { $0.label == ContentionMetrics.lockWaitsLabel }.isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func batchJobsCountWhatTheyDidToEachRowPerModel(backend: Backend) async throws {
        let metrics = testMetrics
        try await withDatabase(backend) { db in
            try await db.write { tx in
                try tx.createTable(MeteredCounter.self)
                var counters = (0..<6).map { MeteredCounter(value: Int64($0)) }
                try tx.insert(&counters)
            }
            func total(_ outcome: String) -> Int64 {
                metrics.counterTotal(label: BatchMetrics.rowsLabel, dimensions: [("model", "MeteredCounter"), ("outcome", outcome)])
            }
            let (savedBefore, unchangedBefore) = (total("saved"), total("unchanged"))
            let report = try await db.updateEach(MeteredCounter.all(), chunkSize: 4) { counter in
                if counter.value.isMultiple(of: 2) { counter.value += 100 }
            }
            #expect(report.saved.count == 3 && report.unchanged == 3)
            #expect(total("saved") - savedBefore == 3)
            #expect(total("unchanged") - unchangedBefore == 3)
        }
    }

    @Test(arguments: Backend.allCases)
    func adaptiveLocksARowAfterItConflictedAndReadsItFreelyOnceItCooled(backend: Backend) async throws {
        let metrics = testMetrics
        try await withClients(backend, count: 2) { clients in
            let (db, other) = (clients[0], clients[1])
            let counter = try await AdaptiveCounter.seed(db)
            let id = try #require(counter.id)
            let optimisticBefore = AdaptiveCounter.attempts("optimistic", in: metrics)
            let pessimisticBefore = AdaptiveCounter.attempts("pessimistic", in: metrics)
            func optimistic() -> Int64 { AdaptiveCounter.attempts("optimistic", in: metrics) - optimisticBefore }
            func pessimistic() -> Int64 { AdaptiveCounter.attempts("pessimistic", in: metrics) - pessimisticBefore }
            let knobs = AdaptiveLocking(retry: RetryPolicy(backoff: .none), halfLife: .milliseconds(250))
            // Another client changes the row between the first attempt's read and its write: stale, so the row
            // is hot and the second attempt locks it first.
            let runs = Counter()
            let result = try await db.modify(AdaptiveCounter.self, id: id, using: .adaptive(knobs)) { value in
                runs.increment()
                if runs.count == 1 {
                    try other.writeSync { tx in try AdaptiveCounter.where { $0.id == id }.updateAll(tx) { $0.value += 10 } }
                }
                value.value += 1
            }
            #expect(result.attempts == 2)
            #expect(result.value.value == 11)
            #expect(optimistic() == 1)
            #expect(pessimistic() == 1)
            // Right after, still hot: locked again.
            _ = try await db.modify(AdaptiveCounter.self, id: id, using: .adaptive(knobs)) { $0.value += 1 }
            #expect(pessimistic() == 2)
            // Ten half-lives later it has cooled below the threshold: no lock.
            try await Task.sleep(for: .milliseconds(2_500))
            _ = try await db.modify(AdaptiveCounter.self, id: id, using: .adaptive(knobs)) { $0.value += 1 }
            #expect(optimistic() == 2)
            #expect(pessimistic() == 2)
        }
    }

    /// Under SERIALIZABLE a versioned UPDATE that waited for another writer's lock fails with 40001 instead of
    /// changing no row. That is contention as much as a stale write: the row gets hot and the retry locks it.
    /// Before, only a stale write heated a row, so under SERIALIZABLE a hot row stayed cold and every worker raced
    /// on it unlocked (the strategy lab's T = 32, H = 1 cell: 0.47 of the best fixed strategy).
    @Test func underSerializableAFailedWriteHeatsItsRowAsAStaleOneDoes() async throws {
        let metrics = testMetrics
        try await withClients(.postgres, count: 2, poolSize: 1) { clients in
            let (db, other) = (clients[0], clients[1])
            // One connection, so every statement of `db` runs SERIALIZABLE, the autocommitted ones too.
            try await db.writeWithoutTransaction { session in
                _ = try session.execute("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE")
            }
            let counter = try await AdaptiveCounter.seed(db)
            let id = try #require(counter.id)
            func serializationRetries() -> Int64 {
                metrics.counterTotal(label: ContentionMetrics.retriesLabel,
                                     dimensions: [("model", "AdaptiveCounter"), ("reason", "transientConflict")])
            }
            let optimisticBefore = AdaptiveCounter.attempts("optimistic", in: metrics)
            let pessimisticBefore = AdaptiveCounter.attempts("pessimistic", in: metrics)
            let retriesBefore = serializationRetries()
            let knobs = AdaptiveLocking(retry: RetryPolicy(backoff: .none), halfLife: .seconds(10))
            let runs = Counter()
            let result = try await db.modify(AdaptiveCounter.self, id: id, using: .adaptive(knobs)) { value in
                runs.increment()
                guard runs.count == 1 else { return value.value += 1 }
                // Between the first attempt's read and its UPDATE, the other client changes the row and keeps it
                // locked until after that UPDATE has begun waiting for it, then commits.
                let locked = DispatchSemaphore(value: 0)
                Thread.detachNewThread {
                    try? other.writeSync { tx in
                        _ = try AdaptiveCounter.where { $0.id == id }.updateAll(tx) { $0.value += 10 }
                        locked.signal()
                        usleep(300_000)
                    }
                }
                locked.wait()
                value.value += 1
            }
            #expect(serializationRetries() - retriesBefore == 1)
            #expect(result.attempts == 2)
            #expect(result.value.value == 11)
            #expect(AdaptiveCounter.attempts("optimistic", in: metrics) - optimisticBefore == 1)
            #expect(AdaptiveCounter.attempts("pessimistic", in: metrics) - pessimisticBefore == 1)
        }
    }

    /// A unit of work under `.adaptive` on PostgreSQL decides on its first attempt: rows read before any hot one
    /// are read without a lock; at the first row that lost a race lately, those are locked in read order, the hot
    /// one is read `FOR UPDATE`, and so is everything after it; the hot row cools back.
    @Test func anAdaptiveUnitOfWorkReadsColdRowsFreelyUntilAHotOneAndThenLocksInReadOrder() async throws {
        let metrics = testMetrics
        let log = StatementLog()
        try await withClients(.postgres, count: 2, log: log) { clients in
            let (db, other) = (clients[0], clients[1])
            let (hot, cold) = try await db.write { tx in
                try tx.createTable(AdaptiveCounter.self)
                var hot = AdaptiveCounter(value: 0), cold = AdaptiveCounter(value: 0)
                try tx.insert(&hot)
                try tx.insert(&cold)
                return (hot, cold)
            }
            let (hotID, coldID) = (try #require(hot.id), try #require(cold.id))
            let knobs = AdaptiveLocking(retry: RetryPolicy(backoff: .none), halfLife: .milliseconds(250))
            func lockedReads() -> Int64 {
                metrics.counterTotal(label: ContentionMetrics.adaptiveAttemptsLabel,
                                     dimensions: [("model", "AdaptiveCounter"), ("mode", "locked-read")])
            }
            let lockedBefore = lockedReads()
            @Sendable func incrementBoth(_ tx: Transaction) throws {
                guard var hotValue = try tx.find(AdaptiveCounter.self, id: hotID),
                      var coldValue = try tx.find(AdaptiveCounter.self, id: coldID) else { throw ModificationError.noMatch(model: "AdaptiveCounter") }
                try tx.update(&hotValue) { $0.value += 1 }
                try tx.update(&coldValue) { $0.value += 1 }
            }
            @Sendable func incrementColdFirst(_ tx: Transaction) throws {
                guard var coldValue = try tx.find(AdaptiveCounter.self, id: coldID),
                      var hotValue = try tx.find(AdaptiveCounter.self, id: hotID) else { throw ModificationError.noMatch(model: "AdaptiveCounter") }
                try tx.update(&coldValue) { $0.value += 1 }
                try tx.update(&hotValue) { $0.value += 1 }
            }
            func lockedSelects() -> [Bool] {
                log.statements.filter { $0.hasPrefix("SELECT") }.map { $0.contains("FOR UPDATE") }
            }
            // Cold: the first unit reads `hot` without a lock; another client changes it meanwhile, so the write is
            // stale and heats that row; the second attempt locks everything.
            let runs = Counter()
            let first = try await db.write(using: .adaptive(knobs)) { tx in
                runs.increment()
                if runs.count == 1 {
                    guard var seen = try tx.find(AdaptiveCounter.self, id: hotID) else { throw ModificationError.noMatch(model: "AdaptiveCounter") }
                    try other.writeSync { tx in try AdaptiveCounter.where { $0.id == hotID }.updateAll(tx) { $0.value += 10 } }
                    try tx.update(&seen) { $0.value += 1 }
                }
                try incrementBoth(tx)
            }
            #expect(first.attempts == 2)
            #expect(lockedReads() == lockedBefore)
            // Hot now: a unit that reads `hot` first locks it and, after it, `cold` as well.
            log.clear()
            let second = try await db.write(using: .adaptive(knobs), incrementBoth)
            #expect(second.attempts == 1)
            #expect(lockedSelects() == [true, true])
            #expect(lockedReads() - lockedBefore == 1)
            // One that reads `cold` first reads it freely, then locks it again before locking `hot`.
            log.clear()
            let third = try await db.write(using: .adaptive(knobs), incrementColdFirst)
            #expect(third.attempts == 1)
            #expect(lockedSelects() == [false, true, true])
            #expect(lockedReads() - lockedBefore == 2)
            // Ten half-lives later both are cold again.
            try await Task.sleep(for: .milliseconds(2_500))
            log.clear()
            _ = try await db.write(using: .adaptive(knobs), incrementBoth)
            #expect(lockedSelects() == [false, false])
            #expect(lockedReads() - lockedBefore == 2)
            let stored = try await db.read { tx in try AdaptiveCounter.all().order { [$0.id.ascending] }.fetchAll(tx) }
            #expect(stored.map(\.value) == [14, 4])
        }
    }

    /// The deadlock the strategy lab found (k = 4, p99.9 of 3 s): an adaptive unit that read a cold row and
    /// then locked a hot one used to leave the cold row unlocked until its UPDATE, so a unit locking the two in
    /// the same order could hold the cold row while waiting for the hot one, and each waited for the other. Now
    /// the cold row is locked before the hot one: while the unit sits between its reads and its writes, nobody
    /// else can take the cold row.
    @Test func anAdaptiveUnitThatMeetsAHotRowHoldsTheRowsItReadBefore() async throws {
        try await withClients(.postgres, count: 2) { clients in
            let (db, other) = (clients[0], clients[1])
            let (cold, hot) = try await db.write { tx in
                try tx.createTable(AdaptiveCounter.self)
                var cold = AdaptiveCounter(value: 0), hot = AdaptiveCounter(value: 0)
                try tx.insert(&cold)
                try tx.insert(&hot)
                return (cold, hot)
            }
            let (coldID, hotID) = (try #require(cold.id), try #require(hot.id))
            let knobs = AdaptiveLocking(retry: RetryPolicy(backoff: .none), halfLife: .seconds(30))
            // Heat `hot`: a unit whose write of it goes stale.
            let runs = Counter()
            _ = try await db.write(using: .adaptive(knobs)) { tx in
                runs.increment()
                guard var seen = try tx.find(AdaptiveCounter.self, id: hotID) else { return }
                if runs.count == 1 {
                    try other.writeSync { tx in try AdaptiveCounter.where { $0.id == hotID }.updateAll(tx) { $0.value += 10 } }
                }
                try tx.update(&seen) { $0.value += 1 }
            }
            let betweenReadsAndWrites = DispatchSemaphore(value: 0), goOn = DispatchSemaphore(value: 0)
            let unit = Task {
                try await db.write(using: .adaptive(knobs)) { tx in
                    guard var coldValue = try tx.find(AdaptiveCounter.self, id: coldID),
                          var hotValue = try tx.find(AdaptiveCounter.self, id: hotID) else { return }
                    betweenReadsAndWrites.signal()
                    goOn.wait()   // on the connection's own thread
                    try tx.update(&coldValue) { $0.value += 1 }
                    try tx.update(&hotValue) { $0.value += 1 }
                }
            }
            await Task.detached { betweenReadsAndWrites.wait() }.value
            let taken = await #expect(throws: DatabaseError.self) {
                try await other.write { tx in
                    try AdaptiveCounter.where { $0.id == coldID }.forUpdate(.noWait).fetchOne(tx)
                }
            }
            #expect(taken?.kind == .lockNotAvailable)
            goOn.signal()
            #expect(try await unit.value.attempts == 1)
            let stored = try await db.read { tx in try AdaptiveCounter.all().order { [$0.id.ascending] }.fetchAll(tx) }
            #expect(stored.map(\.value) == [1, 12])
        }
    }

    @Test(arguments: Backend.allCases)
    func adaptiveModificationsFromTwoClientsLoseNothing(backend: Backend) async throws {
        try await withClients(backend, count: 2, poolSize: 6) { clients in
            let counter = try await AdaptiveCounter.seed(clients[0])
            let id = try #require(counter.id)
            let done = try await runConcurrently(tasks: 8, timesEach: 50) {
                let db = clients[Int.random(in: 0..<2)]
                _ = try await db.modify(AdaptiveCounter.self, id: id, using: .adaptive) { $0.value += 1 }
                return 1
            }
            let stored = try await clients[0].read { tx in try tx.find(AdaptiveCounter.self, id: id) }
            #expect(done == 400)
            #expect(stored?.value == 400)
            #expect(stored?.version == 401)
        }
    }
}

@Model(table: "adaptive_counters")
struct AdaptiveCounter {
    let id: Int64?
    var value: Int64
    var version: Int64 = 0

    /// A fresh table with one counter at 0.
    static func seed(_ db: Database) async throws -> AdaptiveCounter {
        try await db.write { tx in
            try tx.createTable(AdaptiveCounter.self)
            var counter = AdaptiveCounter(value: 0)
            try tx.insert(&counter)
            return counter
        }
    }

    /// The adaptive attempts counted so far in `mode` (`optimistic`, `pessimistic` or `locked-read`).
    static func attempts(_ mode: String, in metrics: TestMetrics) -> Int64 {
        metrics.counterTotal(label: ContentionMetrics.adaptiveAttemptsLabel,
                             dimensions: [("model", "AdaptiveCounter"), ("mode", mode)])
    }
}
