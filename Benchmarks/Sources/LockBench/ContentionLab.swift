import BenchSupport
import Foundation
import Histogram
import VersionedORM

/// The contention grid: every strategy, against every worker count and hot-set size, on one database.
struct ContentionLab {
    let database: BenchDatabase
    let workerCounts: [Int]
    let hotRowCounts: [Int]
    let increments: Int
    /// The peer asked to run each cell right after the library's, if any.
    var peers: PeerSession?
    /// The whole run's progress, to which each finished cell is reported.
    var tracker: RunProgress?
    /// The strategies to run, all by default.
    var strategies: [Strategy] = Strategy.allCases
    let tableRows = 1_000

    func run(progress: (String) -> Void) async throws -> [ContentionResult] {
        var results: [ContentionResult] = []
        for hotRows in hotRowCounts {
            for workers in workerCounts {
                for strategy in strategies {
                    let result = try await runCell(strategy: strategy, workers: workers, hotRows: hotRows)
                    if let tracker { progress("  [\(tracker.finished(result))]") }
                    progress("  \(database.name) \(strategy.rawValue.padded(18)) T=\(String(workers).padded(2)) "
                        + "H=\(String(hotRows).padded(3)) \(Int(result.opsPerSecond).description.padded(8, left: true)) ops/s  "
                        + "p99 \(String(result.p99Micros).padded(7, left: true)) µs  retries \(String(result.retries).padded(7, left: true))  "
                        + "lost \(String(result.lostUpdates).padded(5, left: true))  gave up \(result.errors)  \(result.check)"
                        + (result.raw.map { raw in "  | raw \(Int(raw.opsPerSecond)) ops/s, retries \(raw.retries), \(raw.check)"
                            + " — ratio \(String(format: "%.2f", result.ratio ?? 0))" } ?? ""))
                    results.append(result)
                    await peers?.contention(strategy: strategy.rawValue, workers: workers, hotRows: hotRows,
                                            increments: increments)
                }
            }
        }
        return results
    }

    private struct WorkerOutcome: Sendable {
        var histogram: Histogram<UInt64>
        var retries: Int
        var errors: Int
    }

    func runCell(strategy: Strategy, workers: Int, hotRows: Int) async throws -> ContentionResult {
        let db = try await database.open(connections: workers + 1)
        let ids = try await BenchDatabase.resetAccounts(db, rows: tableRows)
        let hot = Array(ids.prefix(hotRows))
        let startLine = StartLine(workers: workers)
        let outcomes = try await withThrowingTaskGroup(of: WorkerOutcome.self) { group in
            for worker in 0..<workers {
                let share = increments / workers + (worker < increments % workers ? 1 : 0)
                group.addTask {
                    var random = SplitMix(seed: UInt64(worker + 1) &* 7919)
                    var outcome = WorkerOutcome(
                        histogram: Histogram(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three),
                        retries: 0, errors: 0)
                    await startLine.arrive()
                    for _ in 0..<share {
                        let id = hot[Int(random.next() % UInt64(hot.count))]
                        let started = ContinuousClock.now
                        do {
                            let attempts = try await strategy.increment(db, id: id)
                            outcome.retries += attempts - 1
                        } catch {
                            outcome.errors += 1
                        }
                        _ = outcome.histogram.record(started.duration(to: .now).micros)
                    }
                    return outcome
                }
            }
            return try await group.reduce(into: [WorkerOutcome]()) { $0.append($1) }
        }
        let finished = ContinuousClock.now
        let seconds = (startLine.openedAt ?? finished).duration(to: finished).seconds

        var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        for outcome in outcomes { histogram.add(outcome.histogram) }
        let (balances, versions) = try await db.read { tx -> (Int64, Int64) in
            let balances = try tx.fetchValue(Int64.self, "SELECT SUM(\(identifier: "balance")) FROM \(identifier: "accounts")") ?? 0
            let versions = try tx.fetchValue(Int64.self, "SELECT SUM(\(identifier: "version")) FROM \(identifier: "accounts")") ?? 0
            return (balances, versions)
        }
        await db.close()
        let errors = outcomes.reduce(0) { $0 + $1.errors }
        // An increment given up on was refused to its caller, not lost: only the default policy may give up.
        let applied = Int64(increments - (strategy == .optimisticDefault ? errors : 0))
        let lost = applied - balances
        let bumps = versions - Int64(tableRows)
        let check: String
        if strategy == .naive {
            check = "n/a"
        } else {
            let refusedOnlyByPolicy = errors == 0 || strategy == .optimisticDefault
            check = (lost == 0 && bumps == applied && refusedOnlyByPolicy) ? "PASS" : "FAIL"
        }
        let opsPerSecond = Double(increments - errors) / max(seconds, 1e-9)
        let raw = try await rawBaseline(strategy: strategy, workers: workers, hotRows: hotRows)
        return ContentionResult(
            database: database.name, strategy: strategy.rawValue, workers: workers, hotRows: hotRows,
            increments: increments, opsPerSecond: opsPerSecond,
            p50Micros: histogram.valueAtPercentile(50), p99Micros: histogram.valueAtPercentile(99),
            maxMicros: histogram.max, retries: outcomes.reduce(0) { $0 + $1.retries }, lostUpdates: lost,
            check: check, errors: errors, seconds: seconds, raw: raw, ratio: raw.map { opsPerSecond / max($0.opsPerSecond, 1e-9) })
    }

    /// The cell again through the C APIs, right after the library's run, on a freshly reset table.
    private func rawBaseline(strategy: Strategy, workers: Int, hotRows: Int) async throws -> RawContentionFigures? {
        switch database {
        case .sqlite, .postgres: try await runRaw(strategy: strategy, workers: workers, hotRows: hotRows)
        case .postgresUnnamed: nil
        }
    }

    private func runRaw(strategy: Strategy, workers: Int, hotRows: Int) async throws -> RawContentionFigures {
        let db = try await database.open(connections: 1)
        let ids = try await BenchDatabase.resetAccounts(db, rows: tableRows)
        await db.close()
        let hot = Array(ids.prefix(hotRows))
        let (database, increments, tableRows) = (self.database, self.increments, self.tableRows)
        let outcome = try await onThread {
            try RawContention(database: database).run(strategy: strategy, workers: workers, hot: hot,
                                                      increments: increments, tableRows: tableRows)
        }
        return RawContentionFigures(opsPerSecond: outcome.opsPerSecond, p50Micros: outcome.p50Micros,
                                    p99Micros: outcome.p99Micros, retries: outcome.retries,
                                    lostUpdates: outcome.lostUpdates, check: outcome.check)
    }
}
