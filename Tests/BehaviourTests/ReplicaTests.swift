import Foundation
import PostgresDriver
import Testing
import VersionedORM

/// Reads on a hot standby that applies commits 50 ms late (scripts/with-postgres.sh makes it with
/// pg_basebackup -R). One at a time: pausing replay affects every reader of the standby.
@Suite(.serialized) struct ReplicaTests {
    static var standbyURL: String {
        get throws { try requiredEnvironment("VERSIONED_ORM_STANDBY_URL", startedBy: "a hot standby") }
    }

    /// A database whose reads go to the standby, in a schema of its own that the standby has already replayed.
    private func withReplicatedDatabase(_ body: (Database, Database) async throws -> Void) async throws {
        let permits = try await postgresConnectionBudget.acquire(10)
        defer { postgresConnectionBudget.release(permits) }
        let primaryURL = try Backend.postgresURL
        let standbyURL = try Self.standbyURL
        let schema = "replica_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try await Database.postgres(configuration: PostgresConfiguration(
            connectionString: primaryURL, poolSize: 1, replicaConnectionString: standbyURL, replicaPoolSize: 1))
        let standby = try await Database.postgres(url: standbyURL, configuration: PostgresConfiguration(poolSize: 1))
        try await admin.write { tx in try tx.execute("CREATE SCHEMA \(identifier: schema)") }
        let created = try #require(admin.latestCommitToken)
        let visible = try await admin.read(consistency: .atLeast(created, timeout: .seconds(10))) { tx in
            try tx.fetchValue(Int.self, "SELECT COUNT(*) FROM pg_namespace WHERE nspname = \(schema)")
        }
        #expect(visible == 1)
        let db = try await Database.postgres(configuration: PostgresConfiguration(
            connectionString: primaryURL, parameters: ["options": "-c search_path=\(schema)"], poolSize: 4,
            replicaConnectionString: standbyURL, replicaPoolSize: 4))
        do {
            try await body(db, standby)
        } catch {
            _ = try? await standby.writeWithoutTransaction { tx in try tx.execute("SELECT pg_wal_replay_resume()") }
            await db.close()
            _ = try? await admin.write { tx in try tx.execute("DROP SCHEMA \(identifier: schema) CASCADE") }
            await admin.close()
            await standby.close()
            throw error
        }
        await db.close()
        try await admin.write { tx in try tx.execute("DROP SCHEMA \(identifier: schema) CASCADE") }
        await admin.close()
        await standby.close()
    }

    /// Creates the accounts table and waits until the standby has it.
    private func seedReplicated(_ db: Database) async throws -> Account {
        let account = try await seedAccounts(db, balances: [0])[0]
        let token = try #require(db.latestCommitToken)
        _ = try await db.read(consistency: .atLeast(token, timeout: .seconds(10))) { tx in try Account.all().count(tx) }
        return account
    }

    @Test func aReadWithTheCommitTokenSeesTheWriteAndOneWithoutMayNot() async throws {
        try await withReplicatedDatabase { db, _ in
            let account = try await seedReplicated(db)
            let id = try #require(account.id)
            var staleWithout = 0
            var staleWith = 0
            var waits: [Duration] = []
            for round in 1...20 {
                let balance = Int64(round)
                try await db.write { tx in try Account.where { $0.id == id }.updateAll(tx) { $0.balance = .value(balance) } }
                let any = try await db.read(consistency: .any) { tx in try tx.find(Account.self, id: id) }
                if any?.balance != balance { staleWithout += 1 }
                let token = try #require(db.latestCommitToken)
                let started = ContinuousClock.now
                let fresh = try await db.read(consistency: .atLeast(token, timeout: .seconds(10))) { tx in
                    try tx.find(Account.self, id: id)
                }
                waits.append(started.duration(to: .now))
                if fresh?.balance != balance { staleWith += 1 }
            }
            #expect(staleWith == 0)
            #expect(staleWithout > 0, "the standby never lagged: the test did not exercise a stale read")
            let median = waits.sorted()[waits.count / 2]
            print("[replica] 20 write-then-read pairs on a standby 50 ms behind: \(staleWithout) stale without a token, \(staleWith) with one (median wait \(median))")
        }
    }

    @Test func aReplicaThatDoesNotCatchUpInTimeFallsBackToThePrimary() async throws {
        try await withReplicatedDatabase { db, standby in
            let account = try await seedReplicated(db)
            let id = try #require(account.id)
            let fallbacksBefore = testMetrics.counterTotal(label: ContentionMetrics.replicaFallbacksLabel, dimensions: [])
            try await standby.writeWithoutTransaction { tx in try tx.execute("SELECT pg_wal_replay_pause()") }
            try await db.write { tx in try Account.where { $0.id == id }.updateAll(tx) { $0.balance = .value(77) } }
            let token = try #require(db.latestCommitToken)
            let read = try await db.read(consistency: .atLeast(token, timeout: .milliseconds(300))) { tx in
                try tx.find(Account.self, id: id)
            }
            #expect(read?.balance == 77)
            #expect(testMetrics.counterTotal(label: ContentionMetrics.replicaFallbacksLabel, dimensions: []) - fallbacksBefore == 1)
            // The standby really is behind: a read that may use it sees the old balance.
            #expect(try await db.read(consistency: .any) { tx in try tx.find(Account.self, id: id) }?.balance == 0)
            try await standby.writeWithoutTransaction { tx in try tx.execute("SELECT pg_wal_replay_resume()") }
        }
    }

    @Test func aSnapshotTakenBeforeTheReplicaCaughtUpStaysStaleSoTheWaitComesBeforeBegin() async throws {
        try await withReplicatedDatabase { db, standby in
            let account = try await seedReplicated(db)
            let id = try #require(account.id)
            try await standby.writeWithoutTransaction { tx in try tx.execute("SELECT pg_wal_replay_pause()") }
            try await db.write { tx in try Account.where { $0.id == id }.updateAll(tx) { $0.balance = .value(5) } }
            let token = try #require(db.latestCommitToken)
            // Waiting inside the transaction, as a hand-written check would, keeps the snapshot taken at BEGIN.
            let (before, after) = try await db.read(consistency: .any) { tx -> (Int64?, Int64?) in
                let before = try tx.find(Account.self, id: id)?.balance
                try standby.writeWithoutTransactionSync { tx in try tx.execute("SELECT pg_wal_replay_resume()") }
                // Bounded: replay may itself wait for this very snapshot (a recovery conflict), which would end in
                // the standby cancelling the transaction.
                let deadline = ContinuousClock.now + .seconds(2)
                while ContinuousClock.now < deadline,
                      let replayed = try tx.fetchValue(String.self, "SELECT CAST(pg_last_wal_replay_lsn() AS TEXT)"),
                      let position = CommitToken(lsn: replayed), position < token {
                    usleep(1_000)
                }
                return (before, try tx.find(Account.self, id: id)?.balance)
            }
            #expect(before == 0 && after == 0)
            #expect(try await db.read(consistency: .atLeast(token, timeout: .seconds(10))) { tx in
                try tx.find(Account.self, id: id)
            }?.balance == 5)
        }
    }

    @Test func readsFromThePrimaryAlwaysSeeTheLatestWrite() async throws {
        try await withReplicatedDatabase { db, _ in
            let account = try await seedReplicated(db)
            let id = try #require(account.id)
            for round in 1...5 {
                try await db.write { tx in try Account.where { $0.id == id }.updateAll(tx) { $0.balance = .value(Int64(round)) } }
                #expect(try await db.read(consistency: .primary) { tx in try tx.find(Account.self, id: id) }?.balance == Int64(round))
            }
        }
    }

    @Test func commitTokensParseAndCompareInHistoryOrder() throws {
        let early = try #require(CommitToken(lsn: "0/3000028"))
        let late = try #require(CommitToken(lsn: "16/B374D848"))
        #expect(early < late)
        #expect(late.description == "16/B374D848")
        #expect(CommitToken(lsn: "nonsense") == nil)
        #expect(CommitToken(lsn: "1FFFFFFFF/0") == nil)
    }
}
