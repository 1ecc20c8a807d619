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
            case .optimisticDefault, .adaptiveDefault: self = .optimistic(backoffBase: .milliseconds(1), cap: .milliseconds(50))
            case .pessimistic: self = .pessimistic
            case .atomic: self = .atomic
            }
        }

        var isNaive: Bool {
            if case .naive = self { return true }
            return false
        }

        var isPessimistic: Bool {
            if case .pessimistic = self { return true }
            return false
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
        var maxAttempts: Int
        var lostUpdates: Int64
        var p50Micros: UInt64
        var p99Micros: UInt64
        var p999Micros: UInt64
        var check: String
    }

    /// Runs `increments` operations of `strategy` under `workload` over `keys` (the accounts table the caller has
    /// just reset to balance 0, version 1, `keys.count` rows), split over `workload.workers` threads released
    /// together, each drawing its rows from the same seed as the library's worker of that number.
    func run(strategy: Strategy, workload: Workload, keys: [Int64], increments: Int) throws -> Outcome {
        let plan = Plan(strategy)
        let workers = workload.workers
        let think = Duration.microseconds(workload.thinkMicros)
        let clients = try (0..<workers).map { _ in try RawIncrementer.open(database, isolation: workload.isolation) }
        let ready = DispatchGroup(), done = DispatchGroup()
        let gate = DispatchSemaphore(value: 0)
        let opened = Locked<ContinuousClock.Instant?>(nil)
        let results = Locked<[(retries: Int, maxAttempts: Int, histogram: Histogram<UInt64>)]>([])
        let failure = Locked<(any Error)?>(nil)
        for (worker, client) in clients.enumerated() {
            let share = increments / workers + (worker < increments % workers ? 1 : 0)
            ready.enter()
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                var picker = RowPicker(picks: workload.picks, keys: keys, rowsPerTransaction: workload.rowsPerTransaction,
                                       seed: RowPicker.seed(worker: worker))
                var random = SplitMix(seed: RowPicker.seed(worker: worker) ^ 0x5DEE_CE66)
                var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
                var retries = 0, maxAttempts = 0
                ready.leave()
                gate.wait()
                let start = opened.withLock { $0 } ?? .now
                do {
                    for index in 0..<share {
                        let ids = picker.next()
                        var started = ContinuousClock.now
                        if let offset = workload.arrival.intendedStart(worker: worker, of: workers, index: index) {
                            let intended = start + offset
                            if intended > started { pause(started.duration(to: intended)) }
                            started = intended
                        }
                        let extra = try client.increment(ids: ids, plan: plan, think: think, random: &random)
                        retries += extra
                        maxAttempts = max(maxAttempts, extra + 1)
                        _ = histogram.record(started.duration(to: .now).micros)
                    }
                } catch {
                    failure.withLock { $0 = $0 ?? error }
                }
                results.withLock { $0.append((retries, maxAttempts, histogram)) }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        ready.wait()
        let started = ContinuousClock.now
        opened.withLock { $0 = started }
        for _ in 0..<workers { gate.signal() }
        done.wait()
        let seconds = started.duration(to: .now).seconds
        if let error = failure.withLock({ $0 }) { throw error }

        let (balances, versions) = try clients[0].sums()
        let expected = Int64(increments * RowPicker.rowsPerOperation(picks: workload.picks, keys: keys,
                                                                     rowsPerTransaction: workload.rowsPerTransaction))
        let lost = expected - balances
        let bumps = versions - Int64(keys.count)
        var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        let collected = results.withLock { $0 }
        for result in collected { histogram.add(result.histogram) }
        let check = strategy == .naive ? "n/a" : (lost == 0 && bumps == expected ? "PASS" : "FAIL")
        return Outcome(opsPerSecond: Double(increments) / max(seconds, 1e-9), retries: collected.reduce(0) { $0 + $1.retries },
                       maxAttempts: collected.map(\.maxAttempts).max() ?? 0, lostUpdates: lost,
                       p50Micros: histogram.valueAtPercentile(50), p99Micros: histogram.valueAtPercentile(99),
                       p999Micros: histogram.valueAtPercentile(99.9), check: check)
    }
}

/// One worker's connection and its prepared statements.
private enum RawIncrementer: @unchecked Sendable {
    // @unchecked: each incrementer is used by exactly one worker thread, and by the caller only after that thread
    // has finished (done.wait() orders the accesses).
    case sqlite(RawSQLiteIncrementer)
    case postgres(RawPostgresIncrementer)

    static func open(_ database: BenchDatabase, isolation: Isolation) throws -> RawIncrementer {
        switch database {
        case .sqlite(let path): .sqlite(try RawSQLiteIncrementer(path: path))
        case .postgres(let url):
            .postgres(try RawPostgresIncrementer(url: url, schema: BenchDatabase.postgresSchema, isolation: isolation))
        case .postgresUnnamed: throw BenchError("the raw contention baseline runs against a direct server")
        }
    }

    /// One operation on `ids` (in key order); returns the attempts beyond the first.
    func increment(ids: [Int64], plan: RawContention.Plan, think: Duration, random: inout SplitMix) throws -> Int {
        switch self {
        case .sqlite(let raw): try raw.increment(ids: ids, plan: plan, think: think, random: &random)
        case .postgres(let raw): try raw.increment(ids: ids, plan: plan, think: think, random: &random)
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
    private let find, versionedSave, naiveSave, atomic, begin, beginDeferred, commit, rollback, sum: OpaquePointer

    init(path: String) throws {
        connection = try RawSQLiteConnection(path: path)
        find = try connection.prepare(#"SELECT "id", "owner", "balance", "note", "version" FROM "accounts" WHERE "id" = ?1"#)
        versionedSave = try connection.prepare(#"UPDATE "accounts" SET "balance" = ?1, "version" = "version" + 1 WHERE "id" = ?2 AND "version" = ?3"#)
        naiveSave = try connection.prepare(#"UPDATE "accounts" SET "balance" = ?1, "version" = "version" + 1 WHERE "id" = ?2"#)
        atomic = try connection.prepare(#"UPDATE "accounts" SET "balance" = "balance" + 1, "version" = "version" + 1 WHERE "id" = ?1"#)
        begin = try connection.prepare("BEGIN IMMEDIATE")
        beginDeferred = try connection.prepare("BEGIN")
        commit = try connection.prepare("COMMIT")
        rollback = try connection.prepare("ROLLBACK")
        sum = try connection.prepare(#"SELECT SUM("balance"), SUM("version") FROM "accounts""#)
    }

    deinit {
        for statement in [find, versionedSave, naiveSave, atomic, begin, beginDeferred, commit, rollback, sum] { sqlite3_finalize(statement) }
    }

    func increment(ids: [Int64], plan: RawContention.Plan, think: Duration, random: inout SplitMix) throws -> Int {
        var conflicts = 0
        while true {
            if try attempt(ids: ids, plan: plan, think: think) { return conflicts }
            conflicts += 1
            plan.backoff(afterConflicts: conflicts, &random)
        }
    }

    /// One attempt: true when it committed, false when it lost a race or found the database busy.
    private func attempt(ids: [Int64], plan: RawContention.Plan, think: Duration) throws -> Bool {
        // One row without think time: autocommitted statements, as the library's modify sends them. Otherwise
        // one transaction: deferred for optimistic (its write finds out whether it lost), IMMEDIATE for the rest.
        let single = ids.count == 1 ? ids[0] : nil
        switch plan {
        case .atomic where single != nil && think == .zero:
            sqlite3_bind_int64(atomic, 1, ids[0])
            return try step(atomic)
        case .naive, .optimistic:
            if let id = single {
                guard let (balance, version) = try read(id) else { return false }
                pause(think)
                return try write(id: id, balance: balance + 1, version: plan.isNaive ? nil : version)
            }
            return try inTransaction(begin: beginDeferred) { try readThenWrite(ids, think: think) }
        case .pessimistic:
            return try inTransaction(begin: begin) { try readThenWrite(ids, think: think) }
        case .atomic:
            return try inTransaction(begin: begin) {
                for id in ids {
                    sqlite3_bind_int64(atomic, 1, id)
                    guard try step(atomic) else { return false }
                }
                pause(think)
                return true
            }
        }
    }

    /// Inside a transaction: reads every row, pauses, writes each back checked against the version it read;
    /// false when a row was busy or had changed.
    private func readThenWrite(_ ids: [Int64], think: Duration) throws -> Bool {
        var read: [(id: Int64, balance: Int64, version: Int64)] = []
        for id in ids {
            guard let (balance, version) = try self.read(id) else { return false }
            read.append((id, balance, version))
        }
        pause(think)
        for row in read {
            guard try write(id: row.id, balance: row.balance + 1, version: row.version) else { return false }
        }
        return true
    }

    /// Runs `body` between `begin` and COMMIT; rolls back when it returns false or the database was busy.
    private func inTransaction(begin: OpaquePointer, _ body: () throws -> Bool) throws -> Bool {
        guard try step(begin) else { return false }
        if try body(), try step(commit) { return true }
        _ = try? step(rollback)
        return false
    }

    /// The new balance, checked against `version` unless nil (naive); true when one row changed.
    private func write(id: Int64, balance: Int64, version: Int64?) throws -> Bool {
        guard let version else {
            sqlite3_bind_int64(naiveSave, 1, balance)
            sqlite3_bind_int64(naiveSave, 2, id)
            return try step(naiveSave)
        }
        sqlite3_bind_int64(versionedSave, 1, balance)
        sqlite3_bind_int64(versionedSave, 2, id)
        sqlite3_bind_int64(versionedSave, 3, version)
        return try step(versionedSave) && connection.changes == 1
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

    init(url: String, schema: String, isolation: Isolation) throws {
        connection = try RawPostgresConnection(url: url, schema: schema)
        try connection.exec("SET default_transaction_isolation = '\(isolation.postgresSetting)'")
        try connection.prepare("find", #"SELECT "id", "owner", "balance", "note", "version" FROM "accounts" WHERE "id" = $1"#)
        try connection.prepare("find_locked", #"SELECT "id", "owner", "balance", "note", "version" FROM "accounts" WHERE "id" = $1 FOR UPDATE"#)
        try connection.prepare("versioned_save", #"UPDATE "accounts" SET "balance" = $1, "version" = "version" + 1 WHERE "id" = $2 AND "version" = $3"#)
        try connection.prepare("naive_save", #"UPDATE "accounts" SET "balance" = $1, "version" = "version" + 1 WHERE "id" = $2"#)
        try connection.prepare("sums", #"SELECT SUM("balance"), SUM("version") FROM "accounts""#)
        try connection.prepare("atomic", #"UPDATE "accounts" SET "balance" = "balance" + 1, "version" = "version" + 1 WHERE "id" = $1"#)
    }

    func increment(ids: [Int64], plan: RawContention.Plan, think: Duration, random: inout SplitMix) throws -> Int {
        var conflicts = 0
        let keys = ids.map { String($0) }
        while true {
            do {
                if try attempt(keys: keys, plan: plan, think: think) { return conflicts }
            } catch let error as RawPostgresError where error.isTransient {
                // A serialization failure or deadlock: the transaction was rolled back; run it again.
            }
            conflicts += 1
            plan.backoff(afterConflicts: conflicts, &random)
        }
    }

    /// One attempt: true when it committed, false when a versioned write found its row changed.
    private func attempt(keys: [String], plan: RawContention.Plan, think: Duration) throws -> Bool {
        // One row without think time: autocommitted statements, as the library sends them; otherwise one transaction.
        if keys.count == 1, let key = keys.first {
            switch plan {
            case .atomic where think == .zero:
                guard try changed("atomic", [key]) == 1 else { throw BenchError("raw postgres: row \(key) missing") }
                return true
            case .naive:
                let (balance, _) = try read("find", key)
                pause(think)
                _ = try changed("naive_save", [String(balance + 1), key])
                return true
            case .optimistic:
                let (balance, version) = try read("find", key)
                pause(think)
                return try changed("versioned_save", [String(balance + 1), key, String(version)]) == 1
            case .pessimistic, .atomic:
                break
            }
        }
        try connection.exec("BEGIN")
        do {
            var committed = true
            switch plan {
            case .atomic:
                for key in keys {
                    guard try changed("atomic", [key]) == 1 else { throw BenchError("raw postgres: row \(key) missing") }
                }
                pause(think)
            case .naive, .optimistic, .pessimistic:
                let statement = plan.isPessimistic ? "find_locked" : "find"
                let read = try keys.map { key in (key, try self.read(statement, key)) }
                pause(think)
                for (key, (balance, version)) in read {
                    guard try changed("versioned_save", [String(balance + 1), key, String(version)]) == 1 else {
                        guard !plan.isPessimistic else { throw BenchError("raw postgres: a locked row changed under its lock") }
                        committed = false
                        break
                    }
                }
            }
            try connection.exec(committed ? "COMMIT" : "ROLLBACK")
            return committed
        } catch {
            try? connection.exec("ROLLBACK")
            throw error
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
