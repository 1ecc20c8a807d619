import Foundation
import PostgresDriver
import Testing
import VersionedORM

/// Drivers keep what is worth keeping: the library's own statements, not one-off raw SQL or every length of an
/// `IN` list, and evict one statement at a time when full.
@Suite struct StatementCacheTests {
    private func preparedOnServer(_ tx: Transaction) throws -> Int {
        try tx.fetchValue(Int.self, "SELECT COUNT(*) FROM pg_prepared_statements") ?? -1
    }

    @Test func oneOffStatementsAreNotKeptPrepared() async throws {
        try await withDatabase(.postgres, poolSize: 1) { db in
            let accounts = try await seedAccounts(db, balances: [1, 2, 3])
            let ids = accounts.compactMap(\.id)
            let (before, after) = try await db.read { tx -> (Int, Int) in
                _ = try Account.all().fetchAll(tx)
                let before = try preparedOnServer(tx)
                for length in 1...40 {
                    _ = try Account.where { $0.id.in(Array(repeating: ids[0], count: length)) }.fetchAll(tx)
                    _ = try tx.fetchValue(Int.self, "SELECT \(Int64(length)) + 0 * \(Int64(length))")
                    _ = try tx.fetchRows(SQL(unsafeRaw: "SELECT \(length)"))
                }
                return (before, try preparedOnServer(tx))
            }
            #expect(after == before, "one-off statements were left prepared: \(before) before, \(after) after")
        }
    }

    @Test func aFullCacheEvictsOneStatementAtATime() async throws {
        let url = try Backend.postgresURL
        let schema = "cache_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try await Database.postgres(url: url, configuration: PostgresConfiguration(poolSize: 1))
        try await admin.write { tx in try tx.execute("CREATE SCHEMA \(identifier: schema)") }
        let db = try await Database.postgres(configuration: PostgresConfiguration(
            connectionString: url, parameters: ["options": "-c search_path=\(schema)"], poolSize: 1,
            statementCacheCapacity: 4))
        do {
            try await seedAccounts(db, balances: [1, 2, 3])
            let counts = try await db.read { tx -> [Int] in
                var counts: [Int] = []
                for terms in 1...12 {
                    // A different query-builder statement each time (another number of terms): persistent, so
                    // prepared and kept.
                    _ = try Account.where { account in
                        (1..<terms).reduce(account.balance != 0) { filter, term in filter && account.balance != Int64(term) }
                    }.fetchAll(tx)
                    counts.append(try preparedOnServer(tx))
                }
                return counts
            }
            // Never more than the capacity on the server, and never emptied all at once.
            #expect(counts.allSatisfy { $0 <= 4 }, "\(counts)")
            #expect(counts.suffix(8).allSatisfy { $0 == 4 }, "\(counts)")
        } catch {
            await db.close()
            _ = try? await admin.write { tx in try tx.execute("DROP SCHEMA \(identifier: schema) CASCADE") }
            await admin.close()
            throw error
        }
        await db.close()
        try await admin.write { tx in try tx.execute("DROP SCHEMA \(identifier: schema) CASCADE") }
        await admin.close()
    }
}
