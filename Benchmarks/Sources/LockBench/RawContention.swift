import BenchSupport
import Foundation
import Histogram
import RawLibPQ
import RawSQLite
import Synchronization

/// The floor a contention cell is compared with: the same increments through the C APIs, each worker on a thread
/// and a connection of its own, statements prepared once, autocommit wherever the strategy allows (the read and
/// the versioned write of an optimistic increment are two autocommitted statements; an atomic increment is one).
struct RawContention {
    let database: BenchDatabase

    /// How the raw side does one increment. Merge on one column is optimistic at the SQL level; the
    /// optimistic variants differ only in how long they back off after a conflict.
    enum Plan: Sendable {
        case naive
        case optimistic(backoffBase: Duration?, cap: Duration)
        case pessimistic
        case atomic

        init(_ strategy: Strategy) {
            switch strategy {
            case .naive: self = .naive
            // Adaptive reads and writes like optimistic when cold; its raw floor is the optimistic loop's.
            case .optimistic, .merge, .adaptive: self = .optimistic(backoffBase: nil, cap: .zero)
            case .optimisticBackoff: self = .optimistic(backoffBase: .microseconds(50), cap: .milliseconds(5))
            // RetryPolicy()'s exponential backoff; the raw side never gives up.
            case .optimisticDefault: self = .optimistic(backoffBase: .milliseconds(1), cap: .milliseconds(50))
            case .pessimistic: self = .pessimistic
            case .atomic: self = .atomic
            }
        }

        /// Full jitter, as the library's backoff: a uniform wait up to `base × 2^(conflicts − 1)`, capped.
        func backoff(afterConflicts conflicts: Int, _ random: inout SplitMix) {
            guard case .optimistic(let base?, let cap) = self else { return }
            let bound = min(base * (1 << min(conflicts - 1, 20)), cap)
            let nanos = bound.components.seconds * 1_000_000_000 + bound.components.attoseconds / 1_000_000_000
            guard nanos > 0 else { return }
            var pause = timespec(tv_sec: 0, tv_nsec: Int(random.next() % UInt64(nanos)))
            nanosleep(&pause, nil)
        }
    }

    struct Outcome: Sendable {
        var opsPerSecond: Double
        var retries: Int
        var lostUpdates: Int64
        var p50Micros: UInt64
        var p99Micros: UInt64
        var check: String
    }

    /// Runs `increments` increments of `strategy` over `hot` (row keys of the accounts table the caller has just
    /// reset to balance 0, version 1, `tableRows` rows), split over `workers` threads released together.
    func run(strategy: Strategy, workers: Int, hot: [Int64], increments: Int, tableRows: Int) throws -> Outcome {
        let plan = Plan(strategy)
        let clients = try (0..<workers).map { _ in try RawIncrementer.open(database) }
        let ready = DispatchGroup(), done = DispatchGroup()
        let gate = DispatchSemaphore(value: 0)
        let results = Locked<[(retries: Int, histogram: Histogram<UInt64>)]>([])
        let failure = Locked<(any Error)?>(nil)
        for (worker, client) in clients.enumerated() {
            let share = increments / workers + (worker < increments % workers ? 1 : 0)
            ready.enter()
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                var random = SplitMix(seed: UInt64(worker + 1) &* 7919)
                var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
                var retries = 0
                ready.leave()
                gate.wait()
                do {
                    for _ in 0..<share {
                        let id = hot[Int(random.next() % UInt64(hot.count))]
                        let started = ContinuousClock.now
                        retries += try client.increment(id: id, plan: plan, random: &random)
                        _ = histogram.record(started.duration(to: .now).micros)
                    }
                } catch {
                    failure.withLock { $0 = $0 ?? error }
                }
                results.withLock { $0.append((retries, histogram)) }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        ready.wait()
        let started = ContinuousClock.now
        for _ in 0..<workers { gate.signal() }
        done.wait()
        let seconds = started.duration(to: .now).seconds
        if let error = failure.withLock({ $0 }) { throw error }

        let (balances, versions) = try clients[0].sums()
        let lost = Int64(increments) - balances
        let bumps = versions - Int64(tableRows)
        var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        let collected = results.withLock { $0 }
        for result in collected { histogram.add(result.histogram) }
        let check = strategy == .naive ? "n/a" : (lost == 0 && bumps == Int64(increments) ? "PASS" : "FAIL")
        return Outcome(opsPerSecond: Double(increments) / max(seconds, 1e-9), retries: collected.reduce(0) { $0 + $1.retries },
                       lostUpdates: lost, p50Micros: histogram.valueAtPercentile(50),
                       p99Micros: histogram.valueAtPercentile(99), check: check)
    }
}

/// One worker's connection and its prepared statements.
private enum RawIncrementer: @unchecked Sendable {
    // @unchecked: each incrementer is used by exactly one worker thread, and by the caller only after that thread
    // has finished (done.wait() orders the accesses).
    case sqlite(RawSQLiteIncrementer)
    case postgres(RawPostgresIncrementer)

    static func open(_ database: BenchDatabase) throws -> RawIncrementer {
        switch database {
        case .sqlite(let path): .sqlite(try RawSQLiteIncrementer(path: path))
        case .postgres(let url): .postgres(try RawPostgresIncrementer(url: url, schema: BenchDatabase.postgresSchema))
        case .postgresUnnamed: throw BenchError("the raw contention baseline runs against a direct server")
        }
    }

    /// One increment; returns the attempts beyond the first.
    func increment(id: Int64, plan: RawContention.Plan, random: inout SplitMix) throws -> Int {
        switch self {
        case .sqlite(let raw): try raw.increment(id: id, plan: plan, random: &random)
        case .postgres(let raw): try raw.increment(id: id, plan: plan, random: &random)
        }
    }

    func sums() throws -> (balances: Int64, versions: Int64) {
        switch self {
        case .sqlite(let raw): try raw.sums()
        case .postgres(let raw): try raw.sums()
        }
    }
}

private final class RawSQLiteIncrementer {
    private let connection: RawSQLiteConnection
    private let find, versionedSave, naiveSave, atomic, begin, commit, rollback, sum: OpaquePointer

    init(path: String) throws {
        connection = try RawSQLiteConnection(path: path)
        find = try connection.prepare(#"SELECT "id", "owner", "balance", "note", "version" FROM "accounts" WHERE "id" = ?1"#)
        versionedSave = try connection.prepare(#"UPDATE "accounts" SET "balance" = ?1, "version" = "version" + 1 WHERE "id" = ?2 AND "version" = ?3"#)
        naiveSave = try connection.prepare(#"UPDATE "accounts" SET "balance" = ?1, "version" = "version" + 1 WHERE "id" = ?2"#)
        atomic = try connection.prepare(#"UPDATE "accounts" SET "balance" = "balance" + 1, "version" = "version" + 1 WHERE "id" = ?1"#)
        begin = try connection.prepare("BEGIN IMMEDIATE")
        commit = try connection.prepare("COMMIT")
        rollback = try connection.prepare("ROLLBACK")
        sum = try connection.prepare(#"SELECT SUM("balance"), SUM("version") FROM "accounts""#)
    }

    deinit {
        for statement in [find, versionedSave, naiveSave, atomic, begin, commit, rollback, sum] { sqlite3_finalize(statement) }
    }

    func increment(id: Int64, plan: RawContention.Plan, random: inout SplitMix) throws -> Int {
        var conflicts = 0
        while true {
            switch plan {
            case .atomic:
                sqlite3_bind_int64(atomic, 1, id)
                if try step(atomic) { return conflicts }
            case .naive:
                guard let (balance, _) = try read(id) else { continue }
                sqlite3_bind_int64(naiveSave, 1, balance + 1)
                sqlite3_bind_int64(naiveSave, 2, id)
                if try step(naiveSave) { return conflicts }
            case .optimistic:
                guard let (balance, version) = try read(id) else { continue }
                sqlite3_bind_int64(versionedSave, 1, balance + 1)
                sqlite3_bind_int64(versionedSave, 2, id)
                sqlite3_bind_int64(versionedSave, 3, version)
                if try step(versionedSave), connection.changes == 1 { return conflicts }
            case .pessimistic:
                guard try step(begin) else { continue }
                var written = false
                if let (balance, version) = try read(id) {
                    sqlite3_bind_int64(versionedSave, 1, balance + 1)
                    sqlite3_bind_int64(versionedSave, 2, id)
                    sqlite3_bind_int64(versionedSave, 3, version)
                    written = try step(versionedSave) && connection.changes == 1
                }
                if written, try step(commit) { return conflicts }
                _ = try? step(rollback)
            }
            conflicts += 1
            plan.backoff(afterConflicts: conflicts, &random)
        }
    }

    /// The row's balance and version; nil when the database was busy (the caller tries again).
    private func read(_ id: Int64) throws -> (Int64, Int64)? {
        sqlite3_bind_int64(find, 1, id)
        defer { sqlite3_reset(find) }
        switch sqlite3_step(find) {
        case SQLITE_ROW: return (sqlite3_column_int64(find, 2), sqlite3_column_int64(find, 4))
        case SQLITE_BUSY: return nil
        default: throw connection.error()
        }
    }

    /// Steps a statement that returns no rows: true when done, false when the database was busy.
    private func step(_ statement: OpaquePointer) throws -> Bool {
        defer { sqlite3_reset(statement) }
        switch sqlite3_step(statement) {
        case SQLITE_DONE: return true
        case SQLITE_BUSY: return false
        default: throw connection.error()
        }
    }

    func sums() throws -> (balances: Int64, versions: Int64) {
        defer { sqlite3_reset(sum) }
        guard sqlite3_step(sum) == SQLITE_ROW else { throw connection.error() }
        return (sqlite3_column_int64(sum, 0), sqlite3_column_int64(sum, 1))
    }
}

private final class RawPostgresIncrementer {
    private let connection: RawPostgresConnection

    init(url: String, schema: String) throws {
        connection = try RawPostgresConnection(url: url, schema: schema)
        try connection.prepare("find", #"SELECT "id", "owner", "balance", "note", "version" FROM "accounts" WHERE "id" = $1"#)
        try connection.prepare("find_locked", #"SELECT "id", "owner", "balance", "note", "version" FROM "accounts" WHERE "id" = $1 FOR UPDATE"#)
        try connection.prepare("versioned_save", #"UPDATE "accounts" SET "balance" = $1, "version" = "version" + 1 WHERE "id" = $2 AND "version" = $3"#)
        try connection.prepare("naive_save", #"UPDATE "accounts" SET "balance" = $1, "version" = "version" + 1 WHERE "id" = $2"#)
        try connection.prepare("sums", #"SELECT SUM("balance"), SUM("version") FROM "accounts""#)
        try connection.prepare("atomic", #"UPDATE "accounts" SET "balance" = "balance" + 1, "version" = "version" + 1 WHERE "id" = $1"#)
    }

    func increment(id: Int64, plan: RawContention.Plan, random: inout SplitMix) throws -> Int {
        var conflicts = 0
        let key = String(id)
        while true {
            switch plan {
            case .atomic:
                guard try changed("atomic", [key]) == 1 else { throw BenchError("raw postgres: row \(id) missing") }
                return conflicts
            case .naive:
                let (balance, _) = try read("find", key)
                _ = try changed("naive_save", [String(balance + 1), key])
                return conflicts
            case .optimistic:
                let (balance, version) = try read("find", key)
                if try changed("versioned_save", [String(balance + 1), key, String(version)]) == 1 { return conflicts }
            case .pessimistic:
                try connection.exec("BEGIN")
                do {
                    let (balance, version) = try read("find_locked", key)
                    guard try changed("versioned_save", [String(balance + 1), key, String(version)]) == 1 else {
                        throw BenchError("raw postgres: a locked row changed under its lock")
                    }
                    try connection.exec("COMMIT")
                    return conflicts
                } catch {
                    try? connection.exec("ROLLBACK")
                    throw error
                }
            }
            conflicts += 1
            plan.backoff(afterConflicts: conflicts, &random)
        }
    }

    private func read(_ statement: String, _ key: String) throws -> (Int64, Int64) {
        let result = try connection.run(statement, [key])
        defer { PQclear(result) }
        guard PQntuples(result) == 1 else { throw BenchError("raw postgres: row \(key) missing") }
        let account = RawPostgresConnection.readAccount(result, row: 0)
        return (account.balance, account.version)
    }

    private func changed(_ statement: String, _ parameters: [String?]) throws -> Int {
        let result = try connection.run(statement, parameters)
        defer { PQclear(result) }
        return PQcmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0
    }

    func sums() throws -> (balances: Int64, versions: Int64) {
        let result = try connection.run("sums", [])
        defer { PQclear(result) }
        func integer(_ column: Int32) -> Int64 { PQgetvalue(result, 0, column).map { strtoll($0, nil, 10) } ?? 0 }
        return (integer(0), integer(1))
    }
}

/// A value behind a lock that escaping closures (threads) can share: a `Mutex` itself cannot be captured.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T { try mutex.withLock { try body(&$0) } }
}
