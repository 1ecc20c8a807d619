import BenchSupport
import Histogram

/// How an increment is written. The names of the strategies are lock-bench's; the kinds split optimistic in two
/// because with GRDB's single writer it matters whether the read happens outside or inside the write.
enum IncrementKind: Sendable {
    /// Read the row, then a versioned UPDATE in a separate database access; again until it changes a row.
    case optimisticReadThenWrite
    /// The read and the versioned UPDATE in one write transaction.
    case optimisticOneTransaction
    /// Lock the row (SQLite: an IMMEDIATE transaction; PostgreSQL: SELECT … FOR UPDATE), then UPDATE it.
    case pessimistic
    /// `UPDATE … SET balance = balance + 1, version = version + 1`, autocommit.
    case atomic
}

/// One way a peer runs the grid, as the report names it.
struct ContentionCase: Sendable {
    let kind: IncrementKind
    let strategy: String
    let variant: String
}

/// What the workers of one cell share: each call is one increment, on whatever connection the peer lends it.
protocol ContentionSession: Sendable {
    /// Adds 1 to the balance of row `id`; returns the attempts it took.
    func increment(id: Int64) async throws -> Int
}

/// The table's sums after a cell, from which lost and double-counted updates follow.
struct CellTotals: Sendable {
    var balance: Int64
    var version: Int64
}

/// A peer as the contention runner drives it.
protocol ContentionPeer {
    var peer: String { get }
    var database: String { get }
    var cases: [ContentionCase] { get }
    /// Opens what `workers` concurrent workers need on a fresh table of `rows` rows (balance 0, version 1), runs
    /// `body` with a session for `contentionCase` and the table's keys in order, then reads the table's totals.
    func withCell<T: Sendable>(
        _ contentionCase: ContentionCase, workers: Int, rows: Int,
        _ body: (any ContentionSession, [Int64]) async throws -> T
    ) async throws -> (T, CellTotals)
}

/// The contention grid of lock-bench's ContentionLab, run through a peer: every case against every worker count
/// and hot-set size, each cell on a fresh table.
struct PeerContention {
    let workerCounts: [Int]
    let hotRowCounts: [Int]
    let increments: Int
    let tableRows = 1_000

    func run(_ peer: some ContentionPeer, progress: (String) -> Void) async throws -> [PeerContentionResult] {
        var results: [PeerContentionResult] = []
        for hotRows in hotRowCounts {
            for workers in workerCounts {
                results += try await runCells(peer, strategy: nil, workers: workers, hotRows: hotRows, progress: progress)
            }
        }
        return results
    }

    /// One cell of the grid for every case of `strategy` (every case when nil), each on a fresh table.
    func runCells(
        _ peer: some ContentionPeer, strategy: String?, workers: Int, hotRows: Int, progress: (String) -> Void
    ) async throws -> [PeerContentionResult] {
        var results: [PeerContentionResult] = []
        for contentionCase in peer.cases where strategy == nil || contentionCase.strategy == strategy {
            let (result, firstError) = try await runCell(peer, contentionCase, workers: workers, hotRows: hotRows)
            let line: [String] = [
                "  \(result.peer) \(result.database) \(result.strategy.padded(11)) \(result.variant.padded(52))",
                "T=\(String(workers).padded(2)) H=\(String(hotRows).padded(3))",
                "\(String(Int(result.opsPerSecond)).padded(8, left: true)) ops/s",
                "p99 \(String(result.p99Micros).padded(7, left: true)) µs",
                "retries \(String(result.retries).padded(7, left: true))",
                "lost \(String(result.lostUpdates).padded(5, left: true))",
                "errors \(result.errors)",
                result.check,
            ]
            progress(line.joined(separator: "  "))
            if let firstError { progress("    first error: \(firstError)") }
            results.append(result)
        }
        return results
    }

    private struct WorkerOutcome: Sendable {
        var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        var retries = 0
        var errors = 0
        var firstError: String?
    }

    private struct CellRun: Sendable {
        var outcomes: [WorkerOutcome]
        var seconds: Double
    }

    private func runCell(
        _ peer: some ContentionPeer, _ contentionCase: ContentionCase, workers: Int, hotRows: Int
    ) async throws -> (PeerContentionResult, String?) {
        let increments = self.increments
        let (cell, totals) = try await peer.withCell(contentionCase, workers: workers, rows: tableRows) {
            (session: any ContentionSession, ids: [Int64]) async throws -> CellRun in
            let hot = Array(ids.prefix(hotRows))
            guard !hot.isEmpty else { throw BenchError("the contention table has no rows") }
            let startLine = StartLine(workers: workers)
            let outcomes = try await withThrowingTaskGroup(of: WorkerOutcome.self, returning: [WorkerOutcome].self) { group in
                for worker in 0..<workers {
                    let share = increments / workers + (worker < increments % workers ? 1 : 0)
                    group.addTask {
                        var random = SplitMix(seed: UInt64(worker + 1) &* 7919)
                        var outcome = WorkerOutcome()
                        await startLine.arrive()
                        for _ in 0..<share {
                            let id = hot[Int(random.next() % UInt64(hot.count))]
                            let started = ContinuousClock.now
                            do {
                                let attempts = try await session.increment(id: id)
                                outcome.retries += attempts - 1
                            } catch {
                                outcome.errors += 1
                                if outcome.firstError == nil { outcome.firstError = String(describing: error) }
                            }
                            _ = outcome.histogram.record(started.duration(to: .now).micros)
                        }
                        return outcome
                    }
                }
                return try await group.reduce(into: [WorkerOutcome]()) { $0.append($1) }
            }
            let finished = ContinuousClock.now
            return CellRun(outcomes: outcomes, seconds: (startLine.openedAt ?? finished).duration(to: finished).seconds)
        }

        var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        for outcome in cell.outcomes { histogram.add(outcome.histogram) }
        let errors = cell.outcomes.reduce(0) { $0 + $1.errors }
        let lost = Int64(increments) - totals.balance
        let bumps = totals.version - Int64(tableRows)
        let check = lost == 0 && bumps == Int64(increments) && errors == 0 ? "PASS" : "FAIL"
        let result = PeerContentionResult(
            peer: peer.peer, database: peer.database, strategy: contentionCase.strategy, variant: contentionCase.variant,
            workers: workers, hotRows: hotRows, increments: increments,
            opsPerSecond: Double(increments - errors) / max(cell.seconds, 1e-9),
            retries: cell.outcomes.reduce(0) { $0 + $1.retries },
            p50Micros: histogram.valueAtPercentile(50), p99Micros: histogram.valueAtPercentile(99), maxMicros: histogram.max,
            lostUpdates: lost, check: check, errors: errors, seconds: cell.seconds)
        return (result, cell.outcomes.lazy.compactMap(\.firstError).first)
    }
}
