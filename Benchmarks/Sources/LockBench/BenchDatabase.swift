import Foundation
import PostgresDriver
import SQLiteDriver
import VersionedORM

/// Where a workload runs: a SQLite file (WAL, synchronous=NORMAL) or a PostgreSQL server, in a schema of its
/// own so a run never touches other tables.
enum BenchDatabase: Sendable {
    case sqlite(path: String)
    case postgres(url: String)
    /// PostgreSQL with unnamed statements (`statementMode: .unnamed`): direct, in the bench schema, or through a
    /// transaction-pooling PgBouncer, in the public schema (the pooler refuses a search_path startup option).
    /// The contention grid only: the raw baseline uses named statements.
    case postgresUnnamed(url: String, throughPooler: Bool)

    static let postgresSchema = "versioned_orm_bench"

    var name: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgres: "postgres"
        case .postgresUnnamed(_, let throughPooler): throughPooler ? "pgbouncer" : "postgres-unnamed"
        }
    }

    /// A database whose pool gives each of `connections` concurrent workers a connection of its own: PostgreSQL
    /// connections, or SQLite readers next to SQLite's one writer. On PostgreSQL every transaction and
    /// autocommitted statement runs at `isolation`; `trace` sees every statement's text.
    func open(connections: Int, isolation: Isolation = .readCommitted,
              trace: (@Sendable (String) -> Void)? = nil) async throws -> Database {
        let database = DatabaseConfiguration(trace: trace, connectionTimeout: .seconds(120))
        var options = "-c search_path=\(Self.postgresSchema)"
        if isolation != .readCommitted { options += " -c default_transaction_isolation=\(isolation.rawValue)" }
        switch self {
        case .sqlite(let path):
            return try await Database.sqlite(path: path, configuration: SQLiteConfiguration(
                database: database, readerCount: connections, busyTimeout: .seconds(30), synchronous: .normal))
        case .postgres(let url):
            return try await Database.postgres(configuration: PostgresConfiguration(
                connectionString: url, parameters: ["options": options], database: database, poolSize: connections))
        case .postgresUnnamed(let url, let throughPooler):
            return try await Database.postgres(configuration: PostgresConfiguration(
                connectionString: url, parameters: throughPooler ? [:] : ["options": options],
                database: database, poolSize: connections, statementMode: .unnamed))
        }
    }

    /// Whether the overhead comparison with the raw driver applies.
    var runsOverhead: Bool {
        if case .postgresUnnamed = self { return false }
        return true
    }

    func prepare() async throws {
        let url: String
        switch self {
        case .postgres(let direct), .postgresUnnamed(let direct, throughPooler: false): url = direct
        default: return
        }
        let admin = try await Database.postgres(url: url, configuration: PostgresConfiguration(poolSize: 1))
        try await admin.write { tx in try tx.execute("CREATE SCHEMA IF NOT EXISTS \(identifier: Self.postgresSchema)") }
        await admin.close()
    }

    /// Replaces the accounts table with `rows` rows of balance 0, version 1; returns their keys in order.
    static func resetAccounts(_ db: Database, rows: Int) async throws -> [Int64] {
        try await db.write { tx in
            try tx.dropTable(BenchAccount.self, ifExists: true)
            try tx.createTable(BenchAccount.self)
            var ids: [Int64] = []
            ids.reserveCapacity(rows)
            // In multi-row statements: a million rows on PostgreSQL one statement each would take a minute.
            for start in stride(from: 0, to: rows, by: 1_000) {
                var accounts = (start..<min(rows, start + 1_000)).map { number in
                    BenchAccount(owner: "owner-\(number)", balance: 0, note: number.isMultiple(of: 3) ? nil : "note \(number)")
                }
                try tx.insert(&accounts)
                ids += accounts.compactMap(\.id)
            }
            return ids
        }
    }
}
