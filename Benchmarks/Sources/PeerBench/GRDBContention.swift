import BenchSupport
import GRDB

/// The contention grid through GRDB the way one process shares a SQLite file: one DatabasePool, whose single
/// writer serializes every write and whose readers (one per worker) read concurrently, all through the async API
/// a server would use.
struct GRDBContention: ContentionPeer {
    let path: String
    let peer = "GRDB"
    let database = "sqlite"
    let cases = [
        ContentionCase(kind: .optimisticReadThenWrite, strategy: "optimistic", variant: "dbPool.read, then dbPool.write"),
        ContentionCase(kind: .optimisticOneTransaction, strategy: "optimistic", variant: "read and write in one dbPool.write"),
        // GRDB begins every write transaction IMMEDIATE: holding the write lock is what pessimistic means here.
        ContentionCase(kind: .pessimistic, strategy: "pessimistic", variant: "dbPool.write (BEGIN IMMEDIATE)"),
        ContentionCase(kind: .atomic, strategy: "atomic", variant: "dbPool.writeWithoutTransaction (autocommit)"),
    ]

    func withCell<T: Sendable>(
        _ contentionCase: ContentionCase, workers: Int, rows: Int,
        _ body: (any ContentionSession, [Int64]) async throws -> T
    ) async throws -> (T, CellTotals) {
        let pool = try DatabasePool(path: path, configuration: GRDBPeer.configuration(readers: workers))
        do {
            let ids = try await GRDBPeer.resetTable(pool, rows: rows)
            let result = try await body(GRDBContentionSession(pool: pool, kind: contentionCase.kind), ids)
            let totals = try await pool.read { db -> CellTotals in
                guard let row = try Row.fetchOne(db, sql: GRDBPeer.SQL.totals) else { throw BenchError("no totals") }
                return try CellTotals(balance: row.decode(Int64.self, atIndex: 0), version: row.decode(Int64.self, atIndex: 1))
            }
            try pool.close()
            return (result, totals)
        } catch {
            try? pool.close()
            throw error
        }
    }
}

/// One increment per call, each strategy as GRDB's documentation would have it written.
struct GRDBContentionSession: ContentionSession {
    let pool: DatabasePool
    let kind: IncrementKind

    func increment(id: Int64) async throws -> Int {
        switch kind {
        case .optimisticReadThenWrite:
            var attempts = 0
            var saved = false
            repeat {
                attempts += 1
                let (balance, version) = try await pool.read { db in try Self.readBalance(db, id: id) }
                saved = try await pool.write { db in try Self.saveBalance(db, id: id, balance: balance + 1, ifVersion: version) }
            } while !saved
            return attempts
        case .optimisticOneTransaction:
            // The single writer holds the write lock from the read to the save, so the save never finds a newer
            // version; the loop stays so the code is the optimistic one, not a disguised pessimistic one.
            return try await pool.write { db -> Int in
                var attempts = 0
                var saved = false
                repeat {
                    attempts += 1
                    let (balance, version) = try Self.readBalance(db, id: id)
                    saved = try Self.saveBalance(db, id: id, balance: balance + 1, ifVersion: version)
                } while !saved
                return attempts
            }
        case .pessimistic:
            try await pool.write { db in
                let (balance, _) = try Self.readBalance(db, id: id)
                try db.cachedStatement(sql: GRDBPeer.SQL.saveBalance).execute(arguments: [balance + 1, id])
                guard db.changesCount == 1 else { throw BenchError("row \(id) missing") }
            }
            return 1
        case .atomic:
            try await pool.writeWithoutTransaction { db in
                try db.cachedStatement(sql: GRDBPeer.SQL.increment).execute(arguments: [id])
                guard db.changesCount == 1 else { throw BenchError("row \(id) missing") }
            }
            return 1
        }
    }

    private static func readBalance(_ db: Database, id: Int64) throws -> (balance: Int64, version: Int64) {
        let statement = try db.cachedStatement(sql: GRDBPeer.SQL.readBalance)
        statement.setUncheckedArguments([id])
        guard let row = try Row.fetchOne(statement) else { throw BenchError("row \(id) missing") }
        let balance = try row.decode(Int64.self, atIndex: 0)
        let version = try row.decode(Int64.self, atIndex: 1)
        return (balance, version)
    }

    /// The versioned UPDATE; false when another writer got there first.
    private static func saveBalance(_ db: Database, id: Int64, balance: Int64, ifVersion version: Int64) throws -> Bool {
        try db.cachedStatement(sql: GRDBPeer.SQL.saveBalanceIfVersion).execute(arguments: [balance, id, version])
        return db.changesCount == 1
    }
}
