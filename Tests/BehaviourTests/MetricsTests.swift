import Metrics
import MetricsTestKit
import Testing
import VersionedORM

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
}
