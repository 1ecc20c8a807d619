import ArgumentParser
import Foundation

/// `lock-bench advise`: which strategy fits a model, from the counters the application already exports through
/// the library's swift-metrics (`versioned_orm.conflicts`, `versioned_orm.retries`, `versioned_orm.lock_waits`,
/// `versioned_orm.lock_timeouts`), with the lab's evidence: the cells of a results file whose optimistic retry
/// rate is nearest the application's, and which strategy won there.
struct Advise: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recommends a lock strategy for one model from its exported contention counters and a lab run's results.")

    @Option(help: "Modifications of the model in the period the counters cover.")
    var operations: Int

    @Option(help: "versioned_orm.conflicts for the model in that period (stale versioned writes).")
    var conflicts: Int = 0

    @Option(help: "versioned_orm.retries for the model (attempts beyond the first).")
    var retries: Int = 0

    @Option(name: .customLong("lock-waits"), help: "versioned_orm.lock_waits: how many lock waits were timed (pessimistic modifications).")
    var lockWaits: Int = 0

    @Option(name: .customLong("lock-wait-seconds"), help: "versioned_orm.lock_waits: their total time, in seconds.")
    var lockWaitSeconds: Double = 0

    @Option(name: .customLong("lock-timeouts"), help: "versioned_orm.lock_timeouts for the model.")
    var lockTimeouts: Int = 0

    @Option(help: "The database the application runs: sqlite or postgres.")
    var database: String = "postgres"

    @Option(help: "A lock-bench --json file to take the evidence from.")
    var results: String = "Benchmarks/results/2026-12-03-strategy-lab.json"

    func validate() throws {
        guard operations > 0 else { throw ValidationError("--operations must be positive") }
        guard conflicts >= 0, retries >= 0, lockWaits >= 0, lockTimeouts >= 0, lockWaitSeconds >= 0 else {
            throw ValidationError("counters cannot be negative")
        }
        guard ["sqlite", "postgres"].contains(database) else { throw ValidationError("--database is sqlite or postgres") }
    }

    func run() async throws {
        let report = try JSONDecoder().decode(BenchmarkReport.self, from: Data(contentsOf: URL(fileURLWithPath: results)))
        print(Self.advice(for: Counters(operations: operations, conflicts: conflicts, retries: retries, lockWaits: lockWaits,
                                        lockWaitSeconds: lockWaitSeconds, lockTimeouts: lockTimeouts),
                          database: database, lab: report.contention).joined(separator: "\n"))
    }

    struct Counters {
        var operations: Int
        var conflicts: Int
        var retries: Int
        var lockWaits: Int
        var lockWaitSeconds: Double
        var lockTimeouts: Int

        /// Retries per operation: what the lab's optimistic cells report as attempts per commit − 1.
        var retryRate: Double { Double(max(retries, conflicts)) / Double(operations) }
        var meanLockWaitMillis: Double { lockWaits == 0 ? 0 : lockWaitSeconds * 1_000 / Double(lockWaits) }
    }

    /// The recommendation and its evidence, as lines.
    static func advice(for counters: Counters, database: String, lab: [ContentionResult]) -> [String] {
        var lines: [String] = []
        let rate = counters.retryRate
        lines.append(String(format: "Observed: %d operations, %.3f retries per operation, %d lock waits (mean %.2f ms), %d lock timeouts.",
                            counters.operations, rate, counters.lockWaits, counters.meanLockWaitMillis, counters.lockTimeouts))
        // The lab cells that contend like the application: its optimistic cell's retries per commit, nearest first.
        let optimistic = lab.filter { $0.database == database && $0.strategy == "optimistic" && $0.isBasePlane && $0.check == "PASS" }
        let nearest = optimistic.sorted { abs($0.attemptsPerCommit - 1 - rate) < abs($1.attemptsPerCommit - 1 - rate) }.prefix(3)
        let winners = StrategyAnalysis.winners(lab.filter { $0.database == database && $0.isBasePlane })
        var votes: [String: Int] = [:]
        for cell in nearest {
            guard let winner = winners.first(where: { $0.cell.workers == cell.workers && $0.cell.picks == cell.picks }) else { continue }
            votes[StrategyAnalysis.family(winner.cell.strategy), default: 0] += 1
            lines.append(String(format: "  lab, %@ T = %d %@: optimistic retried %.3f per commit; %@ won with %d ops/s",
                                database, cell.workers, cell.picks, cell.attemptsPerCommit - 1, winner.cell.strategy,
                                Int(winner.cell.opsPerSecond))
                + (winner.margin.map { String(format: " (+%.0f%% over %@)", $0 * 100, winner.runnerUp?.strategy ?? "") } ?? ""))
        }
        let recommendation: String
        if counters.lockWaits > 0, counters.meanLockWaitMillis < 0.1, rate < 0.01 {
            recommendation = ".optimistic(retry: RetryPolicy()): the rows are locked but hardly ever waited for; locking costs a round trip and a held lock for nothing"
        } else if nearest.isEmpty {
            recommendation = rate < 0.05 ? ".optimistic(retry: RetryPolicy())" : (rate > 0.5 ? ".pessimistic(.wait)" : ".adaptive")
            lines.append("  (no lab cells for \(database) in the results file: advice from the retry rate alone)")
        } else if votes["pessimistic", default: 0] > votes["optimistic", default: 0] {
            recommendation = ".pessimistic(.wait), or .adaptive if the load moves between hot and cold: in the lab cells that conflict like this, locking won"
        } else if rate > 0.05 {
            recommendation = ".adaptive: optimistic won the lab cells that conflict like this, but at this retry rate hot rows come and go; adaptive locks them while they are hot"
        } else {
            recommendation = ".optimistic(retry: RetryPolicy()): in the lab cells that conflict like this, optimistic won"
        }
        if counters.lockTimeouts > 0 {
            lines.append("  \(counters.lockTimeouts) lock timeouts: with .pessimistic(.noWait) or .skipLocked these are expected; with .wait, raise the timeout or shorten the transactions.")
        }
        lines.append("Recommendation: \(recommendation)")
        return lines
    }
}
