import BenchSupport
import Foundation
import Synchronization
import VersionedORM

/// The batch job (`db.updateEach`) beside a plain `updateAll` of the same rows, and the job again while eight
/// tasks edit random rows of the table: its rate, and a check that every edit and every row's batch change
/// survived.
struct BatchBenchmark {
    let database: BenchDatabase
    let rows: Int
    let chunkSize = 500
    let editors = 8

    func run(progress: (String) -> Void) async throws -> BatchResult {
        let db = try await database.open(connections: editors + 2)
        defer { Task { await db.close() } }

        _ = try await BenchDatabase.resetAccounts(db, rows: rows)
        var started = ContinuousClock.now
        let updated = try await db.write { tx in try BenchAccount.all().updateAll(tx) { $0.balance += 1 } }
        let updateAllRate = Double(updated) / started.duration(to: .now).seconds
        progress("  \(database.name): updateAll of \(rows) rows: \(Int(updateAllRate)) rows/s")

        _ = try await BenchDatabase.resetAccounts(db, rows: rows)
        started = ContinuousClock.now
        let alone = try await db.updateEach(BenchAccount.all(), chunkSize: chunkSize) { $0.balance += 1 }
        let aloneRate = Double(alone.visited) / started.duration(to: .now).seconds
        progress("  \(database.name): updateEach of \(rows) rows, chunks of \(chunkSize): \(Int(aloneRate)) rows/s")

        let ids = try await BenchDatabase.resetAccounts(db, rows: rows)
        let edits = EditTally()
        let jobStarted = ContinuousClock.now
        let (report, jobSeconds) = try await withThrowingTaskGroup(of: (BatchReport<Int64>, Double)?.self) { group in
            group.addTask {
                let report = try await db.updateEach(BenchAccount.all(), chunkSize: chunkSize, onStale: .retry(attempts: 10)) {
                    $0.balance += 1_000_000
                }
                let seconds = jobStarted.duration(to: .now).seconds
                edits.finish()
                return (report, seconds)
            }
            for editor in 0..<editors {
                group.addTask {
                    var random = SplitMix(seed: UInt64(editor + 1) &* 104_729)
                    while !edits.isFinished {
                        let id = ids[Int(random.next() % UInt64(ids.count))]
                        _ = try await db.modify(BenchAccount.self, id: id, using: .optimistic(retry: RetryPolicy())) {
                            $0.balance += 1
                        }
                        edits.record(id)
                    }
                    return nil
                }
            }
            var outcome: (BatchReport<Int64>, Double)?
            for try await result in group { if let result { outcome = result } }
            guard let outcome else { throw BenchError("the batch job returned nothing") }
            return outcome
        }
        let made = edits.counts
        let final = try await db.read { tx in try BenchAccount.all().fetchAll(tx) }
        var lostEdits: Int64 = 0
        var rowsWithoutTheJob = 0
        for account in final {
            guard let id = account.id else { continue }
            let editsOnRow = made[id, default: 0]
            if account.balance < 1_000_000 { rowsWithoutTheJob += 1 }
            lostEdits += editsOnRow - (account.balance % 1_000_000)
        }
        let editCount = made.values.reduce(0, +)
        let result = BatchResult(
            database: database.name, rows: rows, chunkSize: chunkSize, updateAllRowsPerSecond: updateAllRate,
            updateEachRowsPerSecond: aloneRate, editors: editors,
            withEditorsRowsPerSecond: Double(report.visited) / jobSeconds, edits: Int(editCount),
            editsPerSecond: Double(editCount) / jobSeconds, retried: report.retried.count,
            skippedStale: report.skippedStale.count, lostEdits: Int(lostEdits), rowsWithoutTheJob: rowsWithoutTheJob,
            check: lostEdits == 0 && rowsWithoutTheJob == 0 && report.skippedStale.isEmpty ? "PASS" : "FAIL")
        progress("  \(database.name): updateEach with \(editors) editors: \(Int(result.withEditorsRowsPerSecond)) rows/s, "
            + "\(result.edits) edits (\(Int(result.editsPerSecond))/s), \(result.retried) rows retried, "
            + "\(result.skippedStale) skipped, lost edits \(result.lostEdits), rows without the job's change "
            + "\(result.rowsWithoutTheJob)  \(result.check)")
        return result
    }
}

struct BatchResult: Codable, Sendable {
    var database: String
    var rows: Int
    var chunkSize: Int
    /// One `UPDATE … SET balance = balance + 1` over every row, no version check of loaded copies.
    var updateAllRowsPerSecond: Double
    /// `db.updateEach` over the same rows, nobody else writing.
    var updateEachRowsPerSecond: Double
    var editors: Int
    /// `db.updateEach` while `editors` tasks run optimistic `db.modify` on random rows until it ends.
    var withEditorsRowsPerSecond: Double
    var edits: Int
    var editsPerSecond: Double
    var retried: Int
    var skippedStale: Int
    /// Edits the editors committed that the table does not show: 0 unless the job overwrote one.
    var lostEdits: Int
    /// Rows that did not get the job's change: 0 unless the job skipped or lost one.
    var rowsWithoutTheJob: Int
    var check: String
}

/// The edits each row received from the editor tasks, and whether the job they run beside has ended.
private final class EditTally: Sendable {
    private let edits = Mutex<[Int64: Int64]>([:])
    private let finished = Atomic(false)

    func record(_ key: Int64) { edits.withLock { $0[key, default: 0] += 1 } }
    var counts: [Int64: Int64] { edits.withLock { $0 } }
    func finish() { finished.store(true, ordering: .releasing) }
    var isFinished: Bool { finished.load(ordering: .acquiring) }
}
