import BenchSupport
import PostgresNIO

/// PostgresNIO 1.33 against PostgreSQL, written the way its documentation presents it: a PostgresClient run in a
/// task group and leased per unit of work, queries built by string interpolation (every value a bind), rows
/// decoded as tuples; and its fastest way, named prepared statements (``PostgresPreparedStatement``) on a
/// connection held for the whole run, the batch insert as one `unnest` over bound arrays.
struct PostgresNIOPeer: OverheadPeer {
    static let packageVersion = "1.33.2"

    let peer = "PostgresNIO"
    let version = PostgresNIOPeer.packageVersion
    let database = "postgres"
    let client: PostgresClient
    let connection: PostgresConnection

    /// PostgresNIO logs through swift-log, whose default handler prints; only the JSON document may reach stdout.
    static let logger: Logger = {
        var logger = Logger(label: "peer-bench.postgres-nio")
        logger.logLevel = .critical
        return logger
    }()

    static let createTable = """
        CREATE TABLE peer_accounts (id BIGSERIAL PRIMARY KEY, owner TEXT NOT NULL, balance BIGINT NOT NULL, \
        note TEXT, version BIGINT NOT NULL)
        """

    /// Runs `body` with a peer whose client (at most one connection, as W1–W3 use one) is running, and with a
    /// connection of its own for the fastest variants; closes both afterwards.
    static func withPeer<T: Sendable>(_ endpoint: PostgresEndpoint, _ body: (PostgresNIOPeer) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: clientConfiguration(endpoint, connections: 1))
        return try await running(client) {
            let connection = try await PostgresConnection.connect(
                configuration: endpoint.connectionConfiguration, id: 1, logger: logger)
            do {
                let result = try await body(PostgresNIOPeer(client: client, connection: connection))
                try await connection.close()
                return result
            } catch {
                try? await connection.close()
                throw error
            }
        }
    }

    /// A client configured for a benchmark: up to `connections` connections, and no keep-alive query or idle
    /// close landing inside a timed run.
    static func clientConfiguration(_ endpoint: PostgresEndpoint, connections: Int) -> PostgresClient.Configuration {
        var configuration = endpoint.clientConfiguration
        configuration.options.maximumConnections = connections
        configuration.options.keepAliveBehavior = nil
        configuration.options.connectionIdleTimeout = .seconds(3_600)
        return configuration
    }

    /// Runs `body` while `client.run()` runs in a child task, as PostgresClient requires; cancelling that task on
    /// the way out closes the client.
    static func running<T: Sendable>(_ client: PostgresClient, _ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// Replaces the table with `rows` rows of balance 0, version 1, in one unnest insert; returns their keys in order.
    static func resetTable(_ client: PostgresClient, rows: Int) async throws -> [Int64] {
        try await client.query("DROP TABLE IF EXISTS peer_accounts")
        try await client.query(PostgresQuery(unsafeSQL: createTable))
        let seed = InsertAccountBatch(seeding: 0..<rows)
        let keys = try await client.execute(seed)
        var ids: [Int64] = []
        ids.reserveCapacity(rows)
        for try await id in keys { ids.append(id) }
        guard ids.count == rows else { throw BenchError("seeding returned \(ids.count) keys for \(rows) rows") }
        return ids.sorted()
    }

    // MARK: OverheadPeer

    func resetTable(rows: Int) async throws -> [Int64] {
        try await Self.resetTable(client, rows: rows)
    }

    func prepare(for workload: PeerWorkload) async throws {
        if workload == .w3 || workload == .w3b { try await client.query("DELETE FROM peer_accounts") }
    }

    func variants(for workload: PeerWorkload, ids: [Int64]) -> [OverheadVariant] {
        let client = client, connection = connection
        switch workload {
        case .w1:
            return [
                OverheadVariant(name: "PostgresClient, query") { count, seed in
                    var random = SplitMix(seed: seed)
                    for _ in 0..<count {
                        let id = ids[Int(random.next() % UInt64(ids.count))]
                        try await client.withConnection { connection in try await Self.saveByQuery(connection, id: id) }
                    }
                },
                OverheadVariant(name: "PostgresClient, prepared") { count, seed in
                    var random = SplitMix(seed: seed)
                    for _ in 0..<count {
                        let id = ids[Int(random.next() % UInt64(ids.count))]
                        try await client.withConnection { connection in try await Self.saveByPrepared(connection, id: id) }
                    }
                },
                OverheadVariant(name: "PostgresConnection, prepared") { count, seed in
                    var random = SplitMix(seed: seed)
                    for _ in 0..<count {
                        try await Self.saveByPrepared(connection, id: ids[Int(random.next() % UInt64(ids.count))])
                    }
                },
            ]
        case .w2:
            return [
                OverheadVariant(name: "PostgresClient, query") { count, _ in
                    for _ in 0..<count {
                        let rows = try await client.query("SELECT id, owner, balance, note, version FROM peer_accounts")
                        var accounts: [PeerAccount] = []
                        accounts.reserveCapacity(OverheadPlan.tableRows)
                        for try await (id, owner, balance, note, version) in rows.decode((Int64, String, Int64, String?, Int64).self) {
                            accounts.append(PeerAccount(id: id, owner: owner, balance: balance, note: note, version: version))
                        }
                        try Self.check(accounts.count)
                    }
                },
                OverheadVariant(name: "PostgresClient, prepared") { count, _ in
                    for _ in 0..<count { try Self.check(try await Self.collect(client.execute(FetchAllAccounts())).count) }
                },
                OverheadVariant(name: "PostgresConnection, prepared") { count, _ in
                    for _ in 0..<count {
                        try Self.check(try await Self.collect(connection.execute(FetchAllAccounts(), logger: Self.logger)).count)
                    }
                },
            ]
        case .w3:
            return [
                OverheadVariant(name: "PostgresClient, query") { count, _ in
                    try await client.withTransaction(logger: Self.logger) { connection in try await Self.insertEachByQuery(connection, count: count) }
                },
                OverheadVariant(name: "PostgresClient, prepared") { count, _ in
                    try await client.withTransaction(logger: Self.logger) { connection in try await Self.insertEachByPrepared(connection, count: count) }
                },
                OverheadVariant(name: "PostgresConnection, prepared") { count, _ in
                    try await connection.withTransaction(logger: Self.logger) { connection in try await Self.insertEachByPrepared(connection, count: count) }
                },
            ]
        case .w3b:
            return [
                OverheadVariant(name: "PostgresClient, query, 1,000 rows a statement") { count, _ in
                    try await client.withTransaction(logger: Self.logger) { connection in
                        try await Self.insertBatchesByQuery(connection, count: count, rowsPerStatement: OverheadPlan.batchRows)
                    }
                },
                OverheadVariant(name: "PostgresConnection, prepared, 1,000 rows a statement") { count, _ in
                    try await connection.withTransaction(logger: Self.logger) { connection in
                        try await Self.insertBatchesByPrepared(connection, count: count, rowsPerStatement: OverheadPlan.batchRows)
                    }
                },
                // PostgresNIO's fastest: the arrays make the statement's size independent of the row count.
                OverheadVariant(name: "PostgresConnection, prepared, all rows in one statement") { count, _ in
                    try await connection.withTransaction(logger: Self.logger) { connection in
                        try await Self.insertBatchesByPrepared(connection, count: count, rowsPerStatement: count)
                    }
                },
            ]
        }
    }

    // MARK: Workloads on one connection

    /// W1 through interpolated queries. PostgresNIO's async `query` yields rows but not the command tag, so the
    /// versioned save returns its key and the rows are counted.
    static func saveByQuery(_ connection: PostgresConnection, id: Int64) async throws {
        let rows = try await connection.query(
            "SELECT id, owner, balance, note, version FROM peer_accounts WHERE id = \(id)", logger: logger)
        var found: PeerAccount?
        for try await (key, owner, balance, note, version) in rows.decode((Int64, String, Int64, String?, Int64).self) {
            found = PeerAccount(id: key, owner: owner, balance: balance, note: note, version: version)
        }
        guard var account = found else { throw BenchError("row \(id) missing") }
        account.balance += 1
        let saved = try await connection.query("""
            UPDATE peer_accounts SET owner = \(account.owner), balance = \(account.balance), note = \(account.note), \
            version = version + 1 WHERE id = \(account.id) AND version = \(account.version) RETURNING id
            """, logger: logger)
        var changed = 0
        for try await _ in saved { changed += 1 }
        guard changed == 1 else { throw BenchError("the versioned save of row \(id) changed \(changed) rows") }
    }

    /// W1 through prepared statements; the save's command tag says whether it changed the row.
    static func saveByPrepared(_ connection: PostgresConnection, id: Int64) async throws {
        guard var account = try await collect(connection.execute(FindAccount(id: id), logger: logger)).first else {
            throw BenchError("row \(id) missing")
        }
        account.balance += 1
        let changed = try await collect(connection.execute(SaveAccount(account: account), logger: logger)).count
        guard changed == 1 else { throw BenchError("the versioned save of row \(id) changed \(changed) rows") }
    }

    /// W3: one INSERT … RETURNING id per row, through interpolated queries.
    static func insertEachByQuery(_ connection: PostgresConnection, count: Int) async throws {
        for number in 0..<count {
            let keys = try await connection.query("""
                INSERT INTO peer_accounts (owner, balance, note, version) \
                VALUES (\(PeerRows.owner(number)), \(Int64(number)), \(PeerRows.note(number)), 1) RETURNING id
                """, logger: logger)
            guard try await collect(keys.decode(Int64.self)).count == 1 else { throw BenchError("insert \(number) returned no key") }
        }
    }

    /// W3: one INSERT … RETURNING id per row, as a prepared statement.
    static func insertEachByPrepared(_ connection: PostgresConnection, count: Int) async throws {
        for number in 0..<count {
            let keys = try await connection.execute(InsertAccount(number: number), logger: logger)
            guard try await collect(keys).count == 1 else { throw BenchError("insert \(number) returned no key") }
        }
    }

    /// W3B through interpolated queries: the same unnest statement, its arrays bound by interpolation.
    static func insertBatchesByQuery(_ connection: PostgresConnection, count: Int, rowsPerStatement: Int) async throws {
        for start in stride(from: 0, to: count, by: rowsPerStatement) {
            let batch = InsertAccountBatch(numbers: start..<min(count, start + rowsPerStatement))
            let keys = try await connection.query("""
                INSERT INTO peer_accounts (owner, balance, note, version) \
                SELECT owner, balance, note, 1 FROM unnest(\(batch.owners)::text[], \(batch.balances)::bigint[], \
                \(batch.notes)::text[]) AS batch(owner, balance, note) RETURNING id
                """, logger: logger)
            let returned = try await collect(keys.decode(Int64.self)).count
            guard returned == batch.owners.count else { throw BenchError("a batch returned \(returned) keys") }
        }
    }

    /// W3B as a prepared statement.
    static func insertBatchesByPrepared(_ connection: PostgresConnection, count: Int, rowsPerStatement: Int) async throws {
        for start in stride(from: 0, to: count, by: rowsPerStatement) {
            let batch = InsertAccountBatch(numbers: start..<min(count, start + rowsPerStatement))
            let returned = try await collect(connection.execute(batch, logger: logger)).count
            guard returned == batch.owners.count else { throw BenchError("a batch returned \(returned) keys") }
        }
    }

    /// Every element of a row sequence, in order.
    static func collect<Rows: AsyncSequence>(_ rows: Rows) async throws -> [Rows.Element] {
        var elements: [Rows.Element] = []
        for try await element in rows { elements.append(element) }
        return elements
    }

    private static func check(_ rows: Int) throws {
        guard rows == OverheadPlan.tableRows else { throw BenchError("fetched \(rows) rows, expected \(OverheadPlan.tableRows)") }
    }
}
