import BenchSupport
import Foundation
import Synchronization
import VersionedORM

/// W1–W3: the same SQL through the library and through the C API, in the same process, in alternating rounds,
/// so drift in the machine affects both sides alike. Each side's rate is the median of its rounds.
struct OverheadBenchmark {
    let database: BenchDatabase
    let saves: Int
    let fetches: Int
    let inserts: Int
    let rounds: Int
    let workloads: Set<String>
    /// The peer asked to run each round right after the library's and the raw driver's, if any.
    let peers: PeerSession?
    let tableRows = 10_000

    static let targets: [String: [String: Double]] = [
        // The performance issue's targets; W0's "raw" is the bare hop, the floor the async API sits on.
        "sqlite": ["W0": 0.9, "W1": 0.9, "W2": 0.8, "W3": 0.9, "W3B": 0.9],
        "postgres": ["W0": 0.9, "W1": 0.95, "W2": 0.9, "W3": 0.95, "W3B": 0.95],
    ]

    /// The statements the library sends for each workload, captured from its trace so the raw side runs the
    /// very same text.
    struct CapturedSQL {
        var find = ""
        var save = ""
        var fetchAll = ""
        var insert = ""
        /// One multi-row INSERT of ``batchRows`` rows, as `tx.insert(&values)` sends it.
        var batchInsert = ""
    }

    /// The rows of one batch-insert statement; W3B inserts a multiple of it, so every statement has this shape.
    static let batchRows = 1_000

    func run(progress: (String) -> Void) async throws -> [OverheadResult] {
        let log = StatementCollector()
        let db = try await database.open(connections: 2)
        let traced = try await open(tracing: log)
        let ids = try await BenchDatabase.resetAccounts(db, rows: tableRows)
        let sql = try await capture(traced, log: log, id: ids[0])
        await traced.close()
        let raw = try makeRaw()

        var results: [OverheadResult] = []
        // W0: the hop alone. The library sends nothing (an empty writeWithoutTransaction); the floor is one
        // DispatchQueue.async to a serial queue and one continuation resumed from there.
        var w0: [[Double]] = [[], [], []]
        let hops = saves * 2
        let bareLane = DispatchQueue(label: "lock-bench.bare-hop")
        for _ in 0..<(workloads.contains("W0") ? rounds : 0) {
            let count = hops / rounds
            w0[0].append(try await rate(count, settling: db) { for _ in 0..<count { try await db.writeWithoutTransaction { _ in } } })
            w0[1].append(try await rate(count, settling: db) { try await onThread { for _ in 0..<count { try db.writeWithoutTransactionSync { _ in } } } })
            w0[2].append(try await rate(count, settling: db) { for _ in 0..<count { await Self.bareHop(to: bareLane) } })
        }
        if workloads.contains("W0") {
            results.append(result("W0", "\(hops) × an empty writeWithoutTransaction (raw: DispatchQueue.async and a continuation resumed there)", "hops/s", w0))
            progress(describe(results[results.count - 1]))
        }

        // W1
        var w1: [[Double]] = [[], [], []]
        for round in 0..<(workloads.contains("W1") ? rounds : 0) {
            let count = saves / rounds
            let seed = UInt64(round + 1)
            w1[0].append(try await rate(count, settling: db) { try await Self.librarySaves(db, ids: ids, seed: seed, count: count) })
            w1[1].append(try await rate(count, settling: db) { try await onThread { try Self.librarySavesSync(db, ids: ids, seed: seed, count: count) } })
            w1[2].append(try await rate(count, settling: db) { try await onThread { try raw.optimisticSaves(ids: ids, select: sql.find, update: sql.save, seed: seed, count: count) } })
            await peers?.overhead(workload: "W1", round: round)
        }
        if workloads.contains("W1") {
            results.append(result("W1", "\(saves) × (fetch by id, balance += 1, versioned save), one connection, autocommit", "ops/s", w1))
            progress(describe(results[results.count - 1]))
        }

        // W2
        var w2: [[Double]] = [[], [], []]
        for round in 0..<(workloads.contains("W2") ? rounds : 0) {
            let count = fetches / rounds
            w2[0].append(try await rate(count * tableRows, settling: db) {
                for _ in 0..<count { try Self.check(try await db.read { tx in try BenchAccount.all().fetchAll(tx) }.count) }
            })
            w2[1].append(try await rate(count * tableRows, settling: db) {
                try await onThread { for _ in 0..<count { try Self.check(try db.readSync { tx in try BenchAccount.all().fetchAll(tx) }.count) } }
            })
            w2[2].append(try await rate(count * tableRows, settling: db) {
                try await onThread { for _ in 0..<count { try Self.check(try raw.fetchAll(select: sql.fetchAll).count) } }
            })
            await peers?.overhead(workload: "W2", round: round)
        }
        if workloads.contains("W2") {
            results.append(result("W2", "\(fetches) × fetch all \(tableRows) rows into values", "rows/s", w2))
            progress(describe(results[results.count - 1]))
        }

        // W3
        var w3: [[Double]] = [[], [], []]
        for round in 0..<(workloads.contains("W3") ? rounds : 0) {
            try await emptyTable(db)
            w3[0].append(try await rate(inserts, settling: db) { try await Self.libraryInserts(db, count: inserts) })
            try await emptyTable(db)
            w3[1].append(try await rate(inserts, settling: db) { try await onThread { try Self.libraryInsertsSync(db, count: inserts) } })
            try await emptyTable(db)
            w3[2].append(try await rate(inserts, settling: db) { try await onThread { try raw.insertMany(insert: sql.insert, count: inserts) } })
            await peers?.overhead(workload: "W3", round: round)
        }
        if workloads.contains("W3") {
            results.append(result("W3", "insert \(inserts) values in one transaction, keys read back", "rows/s", w3))
            progress(describe(results[results.count - 1]))
        }

        // W3B: the same rows in multi-row statements, against the raw driver sending the same statement text.
        let batchCount = max(1, inserts / Self.batchRows) * Self.batchRows
        var w3b: [[Double]] = [[], [], []]
        for round in 0..<(workloads.contains("W3B") ? rounds : 0) {
            try await emptyTable(db)
            w3b[0].append(try await rate(batchCount, settling: db) { try await db.write { tx in try Self.insertBatch(tx, count: batchCount) } })
            try await emptyTable(db)
            w3b[1].append(try await rate(batchCount, settling: db) { try await onThread { try db.writeSync { tx in try Self.insertBatch(tx, count: batchCount) } } })
            try await emptyTable(db)
            w3b[2].append(try await rate(batchCount, settling: db) {
                try await onThread { try raw.insertBatches(insert: sql.batchInsert, rowsPerStatement: Self.batchRows, count: batchCount) }
            })
            await peers?.overhead(workload: "W3B", round: round)
        }
        if workloads.contains("W3B") {
            results.append(result("W3B", "insert \(batchCount) values with tx.insert(&values), \(Self.batchRows) rows a statement, keys read back", "rows/s", w3b))
            progress(describe(results[results.count - 1]))
        }

        await db.close()
        return results
    }

    // MARK: Library workloads

    /// One hop to a serial queue and back into Swift concurrency, nothing else.
    static func bareHop(to queue: DispatchQueue) async {
        await withCheckedContinuation { continuation in queue.async { continuation.resume() } }
    }

    static func librarySaves(_ db: Database, ids: [Int64], seed: UInt64, count: Int) async throws {
        var random = SplitMix(seed: seed)
        for _ in 0..<count {
            let id = ids[Int(random.next() % UInt64(ids.count))]
            try await db.writeWithoutTransaction { tx in
                guard var account = try tx.find(BenchAccount.self, id: id) else { throw BenchError("row \(id) missing") }
                account.balance += 1
                try tx.save(&account)
            }
        }
    }

    static func librarySavesSync(_ db: Database, ids: [Int64], seed: UInt64, count: Int) throws {
        var random = SplitMix(seed: seed)
        for _ in 0..<count {
            let id = ids[Int(random.next() % UInt64(ids.count))]
            try db.writeWithoutTransactionSync { tx in
                guard var account = try tx.find(BenchAccount.self, id: id) else { throw BenchError("row \(id) missing") }
                account.balance += 1
                try tx.save(&account)
            }
        }
    }

    static func libraryInserts(_ db: Database, count: Int) async throws {
        try await db.write { tx in try insertAll(tx, count: count) }
    }

    static func libraryInsertsSync(_ db: Database, count: Int) throws {
        try db.writeSync { tx in try insertAll(tx, count: count) }
    }

    private static func insertAll(_ tx: Transaction, count: Int) throws {
        for number in 0..<count {
            var account = newAccount(number)
            try tx.insert(&account)
        }
    }

    static func insertBatch(_ tx: Transaction, count: Int) throws {
        var accounts = (0..<count).map(newAccount)
        try tx.insert(&accounts)
        guard accounts.last?.id != nil else { throw BenchError("batch insert returned no keys") }
    }

    private static func newAccount(_ number: Int) -> BenchAccount {
        BenchAccount(owner: "owner-\(number)", balance: Int64(number), note: number.isMultiple(of: 3) ? nil : "note \(number)")
    }

    private static func check(_ rows: Int) throws {
        guard rows == 10_000 else { throw BenchError("fetched \(rows) rows, expected 10000") }
    }

    // MARK: Plumbing

    private func open(tracing log: StatementCollector) async throws -> Database {
        switch database {
        case .sqlite(let path):
            var configuration = DatabaseConfiguration()
            configuration.trace = { statement in log.record(statement) }
            return try await Database.sqlite(path: path, configuration: .init(database: configuration, synchronous: .normal))
        case .postgres(let url):
            var configuration = DatabaseConfiguration()
            configuration.trace = { statement in log.record(statement) }
            return try await Database.postgres(configuration: .init(
                connectionString: url, parameters: ["options": "-c search_path=\(BenchDatabase.postgresSchema)"],
                database: configuration, poolSize: 1))
        case .postgresUnnamed:
            throw BenchError("the overhead comparison runs against a direct server with named statements")
        }
    }

    private func capture(_ db: Database, log: StatementCollector, id: Int64) async throws -> CapturedSQL {
        func last(_ prefix: String) throws -> String {
            guard let text = log.last(startingWith: prefix) else {
                throw BenchError("the library sent no statement starting with \(prefix)")
            }
            return text
        }
        var sql = CapturedSQL()
        try await Self.librarySaves(db, ids: [id], seed: 1, count: 1)
        sql.find = try last("SELECT")
        sql.save = try last("UPDATE")
        _ = try await db.read { tx in try BenchAccount.all().fetchAll(tx) }
        sql.fetchAll = try last("SELECT")
        try await db.write { tx in
            var account = BenchAccount(owner: "captured", balance: 0)
            try tx.insert(&account)
            try tx.delete(account)
        }
        sql.insert = try last("INSERT")
        // Rolled back, so the table keeps exactly the rows W1 and W2 expect.
        struct RollBack: Error {}
        do {
            try await db.write { tx in try Self.insertBatch(tx, count: Self.batchRows); throw RollBack() }
        } catch is RollBack {}
        sql.batchInsert = try last("INSERT")
        return sql
    }

    private enum RawConnection: @unchecked Sendable {
        // @unchecked: each raw connection is used by one benchmark round at a time, awaited before the next.
        case sqlite(RawSQLiteConnection)
        case postgres(RawPostgresConnection)

        func optimisticSaves(ids: [Int64], select: String, update: String, seed: UInt64, count: Int) throws {
            switch self {
            case .sqlite(let raw): try raw.optimisticSaves(ids: ids, select: select, update: update, seed: seed, count: count)
            case .postgres(let raw): try raw.optimisticSaves(ids: ids, select: select, update: update, seed: seed, count: count)
            }
        }

        func fetchAll(select: String) throws -> [RawAccount] {
            switch self {
            case .sqlite(let raw): try raw.fetchAll(select: select)
            case .postgres(let raw): try raw.fetchAll(select: select)
            }
        }

        func insertMany(insert: String, count: Int) throws {
            switch self {
            case .sqlite(let raw): try raw.insertMany(insert: insert, count: count)
            case .postgres(let raw): try raw.insertMany(insert: insert, count: count)
            }
        }

        func insertBatches(insert: String, rowsPerStatement: Int, count: Int) throws {
            switch self {
            case .sqlite(let raw): try raw.insertBatches(insert: insert, rowsPerStatement: rowsPerStatement, count: count)
            case .postgres(let raw): try raw.insertBatches(insert: insert, rowsPerStatement: rowsPerStatement, count: count)
            }
        }
    }

    private func makeRaw() throws -> RawConnection {
        switch database {
        case .sqlite(let path): .sqlite(try RawSQLiteConnection(path: path))
        case .postgres(let url): .postgres(try RawPostgresConnection(url: url, schema: BenchDatabase.postgresSchema))
        case .postgresUnnamed: throw BenchError("the raw baseline uses named statements")
        }
    }

    private func emptyTable(_ db: Database) async throws {
        try await db.write { tx in try tx.execute("DELETE FROM \(identifier: "accounts")") }
    }

    /// A WAL checkpoint landing inside one side's round would charge that side for everyone's writes: start
    /// every round, library or raw, from an empty log.
    private func settle(_ db: Database) async throws {
        guard case .sqlite = database else { return }
        try await db.writeWithoutTransaction { tx in try tx.execute("PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    private func rate(_ units: Int, settling db: Database, _ body: () async throws -> Void) async throws -> Double {
        try await settle(db)
        let started = ContinuousClock.now
        try await body()
        return Double(units) / max(started.duration(to: .now).seconds, 1e-9)
    }

    private func result(_ workload: String, _ description: String, _ unit: String, _ rates: [[Double]]) -> OverheadResult {
        let library = median(rates[0]), sync = median(rates[1]), raw = median(rates[2])
        return OverheadResult(database: database.name, workload: workload, description: description, unit: unit,
                              libraryRate: library, rawRate: raw, ratio: library / raw, librarySyncRate: sync,
                              syncRatio: sync / raw, target: Self.targets[database.name]?[workload] ?? 0)
    }

    private func describe(_ result: OverheadResult) -> String {
        "  \(result.database) \(result.workload): library \(Int(result.libraryRate)) \(result.unit) (sync \(Int(result.librarySyncRate))), "
            + "raw \(Int(result.rawRate)) — ratio \(String(format: "%.2f", result.ratio)) (sync \(String(format: "%.2f", result.syncRatio))), target ≥ \(result.target)"
    }
}

/// The statements a traced database sent.
final class StatementCollector: Sendable {
    private let statements = Mutex<[String]>([])
    func record(_ statement: String) { statements.withLock { $0.append(statement) } }
    func last(startingWith prefix: String) -> String? { statements.withLock { $0.last { $0.hasPrefix(prefix) } } }
}
