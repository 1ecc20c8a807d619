import BenchSupport
import GRDB

/// GRDB 7 on SQLite, written the way its documentation recommends when speed matters: SQL through cached
/// statements, records decoded by position in `init(row:)`, arguments bound with `setUncheckedArguments` or the
/// temporary bindings of `execute(arguments:)`. Each workload runs through a DatabasePool (what a server would
/// open) and a DatabaseQueue, asynchronously and, GRDB's fastest, synchronously from a plain thread.
struct GRDBPeer: OverheadPeer {
    static let packageVersion = "7.10.0"

    let peer = "GRDB"
    let version = GRDBPeer.packageVersion
    let database = "sqlite"
    let pool: DatabasePool
    let queue: DatabaseQueue

    init(path: String) throws {
        // The pool first: it puts a new file in WAL mode, which the queue then finds.
        pool = try DatabasePool(path: path, configuration: Self.configuration(readers: 2))
        queue = try DatabaseQueue(path: path, configuration: Self.configuration(readers: 1))
    }

    func close() throws {
        try queue.close()
        try pool.close()
    }

    /// lock-bench's SQLite settings: WAL, synchronous=NORMAL, a 30 s busy timeout.
    static func configuration(readers: Int) -> Configuration {
        var configuration = Configuration()
        // A DatabasePool always uses WAL; a DatabaseQueue only when asked.
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(30)
        configuration.maximumReaderCount = readers
        // GRDB's WAL setup already picks NORMAL for the writer; saying so keeps the setting independent of that.
        configuration.prepareDatabase { db in
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        }
        return configuration
    }

    enum SQL {
        static let drop = "DROP TABLE IF EXISTS peer_accounts"
        static let create = """
            CREATE TABLE peer_accounts (id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT NOT NULL, \
            balance INTEGER NOT NULL, note TEXT, version INTEGER NOT NULL)
            """
        static let seed = "INSERT INTO peer_accounts (owner, balance, note, version) VALUES (?, 0, ?, 1)"
        static let find = "SELECT id, owner, balance, note, version FROM peer_accounts WHERE id = ?"
        static let save = "UPDATE peer_accounts SET owner = ?, balance = ?, note = ?, version = version + 1 WHERE id = ? AND version = ?"
        static let all = "SELECT id, owner, balance, note, version FROM peer_accounts"
        static let insert = "INSERT INTO peer_accounts (owner, balance, note, version) VALUES (?, ?, ?, 1)"
        static let batchInsert = "INSERT INTO peer_accounts (owner, balance, note, version) VALUES "
            + Array(repeating: "(?, ?, ?, 1)", count: OverheadPlan.batchRows).joined(separator: ", ") + " RETURNING id"
        static let empty = "DELETE FROM peer_accounts"
        static let readBalance = "SELECT balance, version FROM peer_accounts WHERE id = ?"
        static let saveBalanceIfVersion = "UPDATE peer_accounts SET balance = ?, version = version + 1 WHERE id = ? AND version = ?"
        static let saveBalance = "UPDATE peer_accounts SET balance = ?, version = version + 1 WHERE id = ?"
        static let increment = "UPDATE peer_accounts SET balance = balance + 1, version = version + 1 WHERE id = ?"
        static let totals = "SELECT COALESCE(SUM(balance), 0), COALESCE(SUM(version), 0) FROM peer_accounts"
    }

    // MARK: OverheadPeer

    func resetTable(rows: Int) async throws -> [Int64] {
        try await Self.resetTable(pool, rows: rows)
    }

    static func resetTable(_ writer: some DatabaseWriter, rows: Int) async throws -> [Int64] {
        try await writer.write { db -> [Int64] in
            try db.execute(sql: SQL.drop)
            try db.execute(sql: SQL.create)
            let insert = try db.cachedStatement(sql: SQL.seed)
            var ids: [Int64] = []
            ids.reserveCapacity(rows)
            for number in 0..<rows {
                try insert.execute(arguments: [PeerRows.owner(number), PeerRows.note(number)])
                ids.append(db.lastInsertedRowID)
            }
            return ids
        }
    }

    func prepare(for workload: PeerWorkload) async throws {
        try await pool.writeWithoutTransaction { db in
            if workload == .w3 || workload == .w3b { try db.execute(sql: SQL.empty) }
            // A checkpoint landing inside one variant's run would charge it for everyone's writes: start every run
            // from an empty log, as lock-bench does.
            try db.checkpoint(.truncate)
        }
    }

    func variants(for workload: PeerWorkload, ids: [Int64]) -> [OverheadVariant] {
        let pool = pool, queue = queue
        switch workload {
        case .w1:
            return [
                OverheadVariant(name: "DatabasePool async") { count, seed in try await Self.saves(pool, ids: ids, count: count, seed: seed) },
                OverheadVariant(name: "DatabaseQueue async") { count, seed in try await Self.saves(queue, ids: ids, count: count, seed: seed) },
                OverheadVariant(name: "DatabaseQueue sync") { count, seed in
                    try await onThread { try Self.savesSync(queue, ids: ids, count: count, seed: seed) }
                },
            ]
        case .w2:
            return [
                OverheadVariant(name: "DatabasePool async") { count, _ in
                    for _ in 0..<count { try Self.check(try await pool.read { db in try Self.fetchAll(db) }.count) }
                },
                OverheadVariant(name: "DatabaseQueue async") { count, _ in
                    for _ in 0..<count { try Self.check(try await queue.read { db in try Self.fetchAll(db) }.count) }
                },
                OverheadVariant(name: "DatabaseQueue sync") { count, _ in
                    try await onThread { try Self.fetchesSync(queue, count: count) }
                },
            ]
        case .w3:
            return [
                OverheadVariant(name: "DatabasePool async") { count, _ in try await pool.write { db in try Self.insertEach(db, count: count) } },
                OverheadVariant(name: "DatabaseQueue async") { count, _ in try await queue.write { db in try Self.insertEach(db, count: count) } },
                OverheadVariant(name: "DatabaseQueue sync") { count, _ in
                    try await onThread { try Self.insertsSync(queue, count: count) }
                },
            ]
        case .w3b:
            return [
                OverheadVariant(name: "DatabasePool async, 1,000 rows a statement") { count, _ in
                    try await pool.write { db in try Self.insertBatches(db, count: count) }
                },
                OverheadVariant(name: "DatabaseQueue async, 1,000 rows a statement") { count, _ in
                    try await queue.write { db in try Self.insertBatches(db, count: count) }
                },
                OverheadVariant(name: "DatabaseQueue sync, 1,000 rows a statement") { count, _ in
                    try await onThread { try Self.batchInsertsSync(queue, count: count) }
                },
            ]
        }
    }

    // MARK: Workloads, one database access at a time

    /// W1 through the async API: one access per save, autocommit, as a server handles one request.
    static func saves(_ writer: some DatabaseWriter, ids: [Int64], count: Int, seed: UInt64) async throws {
        var random = SplitMix(seed: seed)
        for _ in 0..<count {
            let id = ids[Int(random.next() % UInt64(ids.count))]
            try await writer.writeWithoutTransaction { db in try save(db, id: id) }
        }
    }

    static func savesSync(_ writer: DatabaseQueue, ids: [Int64], count: Int, seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        for _ in 0..<count {
            let id = ids[Int(random.next() % UInt64(ids.count))]
            try writer.writeWithoutTransaction { db in try save(db, id: id) }
        }
    }

    static func fetchesSync(_ reader: DatabaseQueue, count: Int) throws {
        for _ in 0..<count { try check(try reader.read { db in try fetchAll(db) }.count) }
    }

    static func insertsSync(_ writer: DatabaseQueue, count: Int) throws {
        try writer.write { db in try insertEach(db, count: count) }
    }

    static func batchInsertsSync(_ writer: DatabaseQueue, count: Int) throws {
        try writer.write { db in try insertBatches(db, count: count) }
    }

    // MARK: Workloads, inside a database access

    /// W1: fetch by key into a record, add 1, versioned save of every column.
    static func save(_ db: Database, id: Int64) throws {
        let find = try db.cachedStatement(sql: SQL.find)
        find.setUncheckedArguments([id])
        guard var account = try PeerAccount.fetchOne(find) else { throw BenchError("row \(id) missing") }
        account.balance += 1
        try db.cachedStatement(sql: SQL.save)
            .execute(arguments: [account.owner, account.balance, account.note, account.id, account.version])
        guard db.changesCount == 1 else { throw BenchError("the versioned save of row \(id) changed \(db.changesCount) rows") }
    }

    /// W2: every row of the table, decoded.
    static func fetchAll(_ db: Database) throws -> [PeerAccount] {
        try PeerAccount.fetchAll(db.cachedStatement(sql: SQL.all))
    }

    /// W3: one INSERT per row, each generated key read back.
    static func insertEach(_ db: Database, count: Int) throws {
        let insert = try db.cachedStatement(sql: SQL.insert)
        for number in 0..<count {
            try insert.execute(arguments: [PeerRows.owner(number), Int64(number), PeerRows.note(number)])
            guard db.lastInsertedRowID > 0 else { throw BenchError("insert \(number) returned no key") }
        }
    }

    /// W3B: multi-row INSERTs of ``OverheadPlan/batchRows`` rows, reading the keys back through RETURNING.
    static func insertBatches(_ db: Database, count: Int) throws {
        let insert = try db.cachedStatement(sql: SQL.batchInsert)
        var values: [(any DatabaseValueConvertible)?] = []
        values.reserveCapacity(OverheadPlan.batchRows * 3)
        for start in stride(from: 0, to: count, by: OverheadPlan.batchRows) {
            values.removeAll(keepingCapacity: true)
            for number in start..<(start + OverheadPlan.batchRows) {
                values.append(PeerRows.owner(number))
                values.append(Int64(number))
                values.append(PeerRows.note(number))
            }
            // Unchecked: the statement's 3,000 placeholders match by construction, and validating them is the
            // cost `setArguments` would add.
            insert.setUncheckedArguments(StatementArguments(values))
            let keys = try Int64.fetchAll(insert)
            guard keys.count == OverheadPlan.batchRows else { throw BenchError("a batch returned \(keys.count) keys") }
        }
    }

    private static func check(_ rows: Int) throws {
        guard rows == OverheadPlan.tableRows else { throw BenchError("fetched \(rows) rows, expected \(OverheadPlan.tableRows)") }
    }
}

/// Positional decoding, the fast path GRDB's own performance tests use; `decode` throws where the `row[i]`
/// subscript would trap on a NULL in a non-optional column.
extension PeerAccount: FetchableRecord {
    init(row: Row) throws {
        try self.init(id: row.decode(Int64.self, atIndex: 0), owner: row.decode(String.self, atIndex: 1),
                      balance: row.decode(Int64.self, atIndex: 2), note: row.decode(String?.self, atIndex: 3),
                      version: row.decode(Int64.self, atIndex: 4))
    }
}
