import BenchSupport
import PostgresNIO

/// The contention grid through PostgresNIO the way a server shares a database: one PostgresClient with a
/// connection per worker, each increment leasing a connection for its own duration, every statement prepared.
struct PostgresNIOContention: ContentionPeer {
    let endpoint: PostgresEndpoint
    let peer = "PostgresNIO"
    let database = "postgres"
    let cases = [
        ContentionCase(kind: .optimisticReadThenWrite, strategy: "optimistic",
                       variant: "withConnection, prepared SELECT then versioned UPDATE"),
        ContentionCase(kind: .pessimistic, strategy: "pessimistic",
                       variant: "withTransaction, prepared SELECT … FOR UPDATE then UPDATE"),
        ContentionCase(kind: .atomic, strategy: "atomic", variant: "withConnection, prepared UPDATE (autocommit)"),
    ]

    func withCell<T: Sendable>(
        _ contentionCase: ContentionCase, workers: Int, rows: Int,
        _ body: (any ContentionSession, [Int64]) async throws -> T
    ) async throws -> (T, CellTotals) {
        let client = PostgresClient(configuration: PostgresNIOPeer.clientConfiguration(endpoint, connections: workers))
        return try await PostgresNIOPeer.running(client) {
            let ids = try await PostgresNIOPeer.resetTable(client, rows: rows)
            try await Self.openConnections(client, count: workers)
            let result = try await body(PostgresNIOContentionSession(client: client, kind: contentionCase.kind), ids)
            let totals = try await Self.totals(client)
            return (result, totals)
        }
    }

    /// The pool opens connections on demand: `count` overlapping leases, so most connections exist before the
    /// clock starts and few workers' first increments pay for one. Not a barrier that holds every lease until all
    /// are granted: at 32 workers the pool had opened 26 and the barrier waited for ever.
    private static func openConnections(_ client: PostgresClient, count: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<count {
                group.addTask { try await client.withConnection { _ in try await Task.sleep(for: .milliseconds(50)) } }
            }
            try await group.waitForAll()
        }
    }

    private static func totals(_ client: PostgresClient) async throws -> CellTotals {
        // SUM of a bigint is a numeric: cast back, so the tuple decodes as Int64.
        let rows = try await client.query(
            "SELECT COALESCE(SUM(balance), 0)::bigint, COALESCE(SUM(version), 0)::bigint FROM peer_accounts")
        var totals: CellTotals?
        for try await (balance, version) in rows.decode((Int64, Int64).self) {
            totals = CellTotals(balance: balance, version: version)
        }
        guard let totals else { throw BenchError("no totals") }
        return totals
    }
}

/// One increment per call, on a connection leased for that increment alone.
struct PostgresNIOContentionSession: ContentionSession {
    let client: PostgresClient
    let kind: IncrementKind

    private var logger: Logger { PostgresNIOPeer.logger }

    func increment(id: Int64) async throws -> Int {
        switch kind {
        case .optimisticReadThenWrite, .optimisticOneTransaction:
            // Autocommit under read committed: the versioned UPDATE is the only guard, as in lock-bench's optimistic
            // strategy. (PostgreSQL has no single writer, so no case asks for the one-transaction kind.)
            return try await client.withConnection { connection in
                var attempts = 0
                var saved = false
                repeat {
                    attempts += 1
                    let found = try await PostgresNIOPeer.collect(connection.execute(FindBalance(id: id), logger: logger))
                    guard let current = found.first else { throw BenchError("row \(id) missing") }
                    let (balance, version) = current
                    saved = try await PostgresNIOPeer.collect(connection.execute(
                        SaveBalanceIfVersion(id: id, balance: balance + 1, version: version), logger: logger)).count == 1
                } while !saved
                return attempts
            }
        case .pessimistic:
            try await client.withTransaction(logger: logger) { connection in
                let locked = try await PostgresNIOPeer.collect(connection.execute(LockBalance(id: id), logger: logger))
                guard let balance = locked.first else { throw BenchError("row \(id) missing") }
                let changed = try await PostgresNIOPeer.collect(connection.execute(SaveBalance(id: id, balance: balance + 1), logger: logger)).count
                guard changed == 1 else { throw BenchError("the locked row \(id) changed \(changed) rows") }
            }
            return 1
        case .atomic:
            try await client.withConnection { connection in
                let changed = try await PostgresNIOPeer.collect(connection.execute(IncrementBalance(id: id), logger: logger)).count
                guard changed == 1 else { throw BenchError("row \(id) changed \(changed) rows") }
            }
            return 1
        }
    }
}
