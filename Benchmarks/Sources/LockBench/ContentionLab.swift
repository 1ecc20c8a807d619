import BenchSupport
import Foundation
import Histogram
import Synchronization
import VersionedORM

/// The contention grid on one database: every strategy under every workload of the run.
struct ContentionLab {
    let database: BenchDatabase
    let workloads: [Workload]
    let increments: Int
    /// The peer asked to run each cell right after the library's, if any.
    var peers: PeerSession?
    /// The whole run's progress, to which each finished cell is reported.
    var tracker: RunProgress?
    /// The strategies to run, all by default.
    var strategies: [Strategy] = Strategy.allCases

    /// Times each workload runs its strategies (`--rounds`). With more than one, the strategies take turns round
    /// by round, each round starting one strategy later, so drift in the machine and the order after a table
    /// reset fall on all of them alike; each cell reports its median round.
    var rounds = 1
    /// Whether each cell runs its raw C-API baseline too (`--no-raw` turns it off to halve a long run).
    var runsRawBaseline = true

    /// The cells `workloads` × `strategies` make (naive has no multi-row form), each run `rounds` times.
    static func cellCount(_ workloads: [Workload], _ strategies: [Strategy], rounds: Int = 1) -> Int {
        rounds * workloads.reduce(0) { total, workload in
            total + strategies.filter { $0.runs(rowsPerTransaction: workload.rowsPerTransaction) }.count
        }
    }

    func run(progress: (String) -> Void) async throws -> [ContentionResult] {
        var results: [ContentionResult] = []
        for workload in workloads {
            let strategies = self.strategies.filter { $0.runs(rowsPerTransaction: workload.rowsPerTransaction) }
            var runs: [Strategy: [ContentionResult]] = [:]
            for round in 0..<rounds {
                for offset in strategies.indices {
                    let strategy = strategies[(offset + round) % strategies.count]
                    let result = try await runCell(strategy: strategy, workload: workload)
                    if let tracker { progress("  [\(tracker.finishedRun())]") }
                    progress(Self.line(result, round: rounds > 1 ? round + 1 : nil))
                    runs[strategy, default: []].append(result)
                }
            }
            let cells = strategies.compactMap { ContentionResult.median(of: runs[$0] ?? []) }
            tracker?.completed(cells)
            results += cells
            for cell in cells {
                if workload.isBasePlane, case .hot(let hotRows) = workload.picks {
                    await peers?.contention(strategy: cell.strategy, workers: workload.workers, hotRows: hotRows,
                                            increments: increments)
                }
            }
        }
        return results
    }

    private static func line(_ result: ContentionResult, round: Int?) -> String {
        "  \(result.database) \(result.strategy.padded(18)) T=\(String(result.workers).padded(2)) "
            + "\(result.picks.padded(9)) \(result.variation.padded(12)) "
            + (round.map { "round \($0) " } ?? "")
            + "\(Int(result.opsPerSecond).description.padded(8, left: true)) ops/s  "
            + "p99 \(String(result.p99Micros).padded(7, left: true)) µs  attempts/commit \(String(format: "%.2f", result.attemptsPerCommit))  "
            + "lost \(String(result.lostUpdates).padded(5, left: true))  gave up \(result.errors)  \(result.check)"
            + (result.raw.map { raw in "  | raw \(Int(raw.opsPerSecond)) ops/s, retries \(raw.retries), \(raw.check)"
                + " — ratio \(String(format: "%.2f", result.ratio ?? 0))" } ?? "")
    }

    private struct WorkerOutcome: Sendable {
        var histogram: Histogram<UInt64>
        var retries: Int
        var maxAttempts: Int
        var errors: Int
    }

    /// Warm-up operations before the start line, on the table's last rows: they open every lazily prepared
    /// statement, and the second one counts the statements an uncontended operation sends.
    private static let warmUpOperations = 2

    func runCell(strategy: Strategy, workload: Workload) async throws -> ContentionResult {
        let statements = StatementCount()
        let workers = workload.workers
        let think = Duration.microseconds(workload.thinkMicros)
        let db = try await database.open(connections: workers + 1, isolation: workload.isolation,
                                         trace: { _ in statements.add() })
        let keys = try await BenchDatabase.resetAccounts(db, rows: workload.picks.tableRows)
        let rowsPerOperation = RowPicker.rowsPerOperation(picks: workload.picks, keys: keys,
                                                          rowsPerTransaction: workload.rowsPerTransaction)
        let warmUpRows = Array(keys.suffix(rowsPerOperation))
        // With the cell's think time: it decides whether an atomic operation needs a transaction.
        _ = try await strategy.increment(db, ids: warmUpRows, think: think)
        let beforeClean = statements.value
        _ = try await strategy.increment(db, ids: warmUpRows, think: think)
        let cleanStatements = statements.value - beforeClean

        let metricsBefore = BenchMetrics.shared.snapshot()
        let statementsBefore = statements.value
        let startLine = StartLine(workers: workers)
        let (increments, picks, arrival) = (self.increments, workload.picks, workload.arrival)
        let outcomes = try await withThrowingTaskGroup(of: WorkerOutcome.self) { group in
            for worker in 0..<workers {
                let share = increments / workers + (worker < increments % workers ? 1 : 0)
                group.addTask {
                    var picker = RowPicker(picks: picks, keys: keys, rowsPerTransaction: rowsPerOperation,
                                           seed: RowPicker.seed(worker: worker))
                    var outcome = WorkerOutcome(
                        histogram: Histogram(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three),
                        retries: 0, maxAttempts: 0, errors: 0)
                    await startLine.arrive()
                    let opened = startLine.openedAt ?? .now
                    for index in 0..<share {
                        let ids = picker.next()
                        var started = ContinuousClock.now
                        if let offset = arrival.intendedStart(worker: worker, of: workers, index: index) {
                            let intended = opened + offset
                            if intended > started { try await Task.sleep(until: intended, clock: .continuous) }
                            started = intended
                        }
                        do {
                            let attempts = try await strategy.increment(db, ids: ids, think: think)
                            outcome.retries += attempts - 1
                            outcome.maxAttempts = max(outcome.maxAttempts, attempts)
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
        let sent = statements.value - statementsBefore
        let metrics = BenchMetrics.shared.snapshot() - metricsBefore

        var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        for outcome in outcomes { histogram.add(outcome.histogram) }
        let (balances, versions) = try await db.read { tx -> (Int64, Int64) in
            let balances = try tx.fetchValue(Int64.self, "SELECT SUM(\(identifier: "balance")) FROM \(identifier: "accounts")") ?? 0
            let versions = try tx.fetchValue(Int64.self, "SELECT SUM(\(identifier: "version")) FROM \(identifier: "accounts")") ?? 0
            return (balances, versions)
        }
        await db.close()
        let errors = outcomes.reduce(0) { $0 + $1.errors }
        let retries = outcomes.reduce(0) { $0 + $1.retries }
        // An operation given up on was refused to its caller, not lost: only the default policy may give up.
        let committed = increments - (strategy.mayGiveUp ? errors : 0)
        let applied = Int64((committed + Self.warmUpOperations) * rowsPerOperation)
        let lost = applied - balances
        let bumps = versions - Int64(keys.count)
        let check: String
        if strategy == .naive {
            check = "n/a"
        } else {
            let refusedOnlyByPolicy = errors == 0 || strategy.mayGiveUp
            check = (lost == 0 && bumps == applied && refusedOnlyByPolicy) ? "PASS" : "FAIL"
        }
        let commits = increments - errors
        let opsPerSecond = Double(commits) / max(seconds, 1e-9)
        let raw = try await rawBaseline(strategy: strategy, workload: workload)
        return ContentionResult(
            database: database.name, strategy: strategy.rawValue, workers: workers, hotRows: picks.hotRowsOrTable,
            picks: picks.label, zipfTheta: picks.zipfTheta, effectiveHotRows: picks.effectiveHotRows, rowsPerTransaction: rowsPerOperation,
            thinkMicros: workload.thinkMicros, isolation: workload.isolation.rawValue, arrival: arrival.label,
            increments: increments, opsPerSecond: opsPerSecond,
            p50Micros: histogram.valueAtPercentile(50), p99Micros: histogram.valueAtPercentile(99),
            p999Micros: histogram.valueAtPercentile(99.9), maxMicros: histogram.max, retries: retries,
            attemptsPerCommit: Double(commits + retries) / Double(max(commits, 1)),
            maxAttempts: outcomes.map(\.maxAttempts).max() ?? 0,
            statements: sent, wastedStatements: max(sent - commits * cleanStatements, 0),
            conflicts: Int(metrics.counters[ContentionMetrics.conflictsLabel] ?? 0),
            lockWaitMicros: (metrics.timerNanoseconds[ContentionMetrics.lockWaitsLabel] ?? 0) / 1_000,
            adaptiveLockingAttempts: strategy.isAdaptive
                ? Int((metrics.counters["\(ContentionMetrics.adaptiveAttemptsLabel).pessimistic"] ?? 0)
                    + (metrics.counters["\(ContentionMetrics.adaptiveAttemptsLabel).locked-read"] ?? 0)) : nil,
            lostUpdates: lost, check: check, errors: errors, seconds: seconds, raw: raw,
            ratio: raw.map { opsPerSecond / max($0.opsPerSecond, 1e-9) }, variation: workload.variation)
    }

    /// The cell again through the C APIs, right after the library's run, on a freshly reset table.
    private func rawBaseline(strategy: Strategy, workload: Workload) async throws -> RawContentionFigures? {
        switch database {
        case .sqlite, .postgres: runsRawBaseline ? try await runRaw(strategy: strategy, workload: workload) : nil
        case .postgresUnnamed: nil
        }
    }

    private func runRaw(strategy: Strategy, workload: Workload) async throws -> RawContentionFigures {
        let db = try await database.open(connections: 1)
        let keys = try await BenchDatabase.resetAccounts(db, rows: workload.picks.tableRows)
        await db.close()
        let (database, increments) = (self.database, self.increments)
        let outcome = try await onThread {
            try RawContention(database: database).run(strategy: strategy, workload: workload, keys: keys, increments: increments)
        }
        return RawContentionFigures(opsPerSecond: outcome.opsPerSecond, p50Micros: outcome.p50Micros,
                                    p99Micros: outcome.p99Micros, p999Micros: outcome.p999Micros, retries: outcome.retries,
                                    maxAttempts: outcome.maxAttempts, lostUpdates: outcome.lostUpdates, check: outcome.check)
    }
}

/// Statements the library sent, counted from its trace on whichever lane thread sent them.
final class StatementCount: Sendable {
    private let count = Atomic<Int>(0)
    func add() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

extension RowPicks {
    var hotRowsOrTable: Int {
        switch self {
        case .hot(let rows): rows
        case .zipf(_, let rows): rows
        }
    }

    var zipfTheta: Double? {
        if case .zipf(let theta, _) = self { return theta }
        return nil
    }
}
