import Foundation
import SQLiteDriver
import Testing
import VersionedORM

/// On SQLite a one-row insert reads a generated key as the inserted rowid instead of through RETURNING, but
/// only while the key column is the table's rowid: these tables are built by hand so that it is not, or stops
/// being, and the key must then never be a rowid that is not the row's key.
@Suite struct SQLiteRowIDKeyTests {
    private func createAccounts(_ tx: Transaction, key declaration: String, suffix: String = "") throws {
        try tx.execute(SQL(unsafeRaw: """
            CREATE TABLE accounts (id \(declaration), owner TEXT NOT NULL, balance INTEGER NOT NULL, \
            note TEXT, version INTEGER NOT NULL)\(suffix)
            """))
    }

    @Test func aKeyThatIsTheRowIDIsReadBackAsTheRowOfTheInsert() async throws {
        let log = StatementLog()
        try await withDatabase(.sqlite, log: log) { db in
            let inserted = try await db.write { tx in
                try createAccounts(tx, key: "INTEGER PRIMARY KEY")
                // Rowids from 1,000 on in another table, written by a trigger during each insert: the key read
                // must be this row's, not the trigger's last insert.
                try tx.execute("CREATE TABLE audit (entry INTEGER PRIMARY KEY, account INTEGER)")
                try tx.execute("INSERT INTO audit (entry, account) VALUES (999, NULL)")
                try tx.execute("""
                    CREATE TRIGGER audited AFTER INSERT ON accounts \
                    BEGIN INSERT INTO audit (account) VALUES (new.id); END
                    """)
                var accounts: [Account] = []
                for balance in [10, 20, 30] {
                    var account = Account(owner: "o\(balance)", balance: Int64(balance))
                    try tx.insert(&account)
                    accounts.append(account)
                }
                return accounts
            }
            let stored = try await db.read { tx in try Account.all().order { [$0.id.ascending] }.fetchAll(tx) }
            #expect(inserted == stored)
            #expect(inserted.map(\.id) == [1, 2, 3])
            let inserts = log.statements.filter { $0.hasPrefix("INSERT INTO \"accounts\"") }
            #expect(inserts.count == 3 && inserts.allSatisfy { !$0.contains("RETURNING") })
        }
    }

    /// `BIGINT PRIMARY KEY` and `INTEGER PRIMARY KEY DESC` are not rowid aliases: the key stays NULL and the row
    /// gets a rowid of 1. Reading the rowid as the key would report key 1 for a row whose key is NULL.
    @Test(arguments: ["BIGINT PRIMARY KEY", "INTEGER PRIMARY KEY DESC"])
    func aKeyThatIsNotTheRowIDIsNeverReportedAsTheRowID(declaration: String) async throws {
        try await withDatabase(.sqlite) { db in
            try await db.write { tx in try createAccounts(tx, key: declaration) }
            await #expect(throws: RowDecodingError.self) {
                try await db.write { tx in var account = Account(owner: "a", balance: 1); try tx.insert(&account) }
            }
            #expect(try await db.read { tx in try Account.all().count(tx) } == 0)
        }
    }

    @Test func aTableRebuiltWithAKeyThatIsNoLongerTheRowIDIsNoticed() async throws {
        try await withDatabase(.sqlite) { db in
            try await db.write { tx in
                try createAccounts(tx, key: "INTEGER PRIMARY KEY")
                var first = Account(owner: "a", balance: 1)
                try tx.insert(&first)
                #expect(first.id == 1)
            }
            // The same INSERT statement, cached on the same connection, now runs against a table whose key is
            // not the rowid: SQLite recompiles it, and the earlier answer must not be trusted.
            try await db.write { tx in
                try tx.execute("DROP TABLE accounts")
                try createAccounts(tx, key: "BIGINT PRIMARY KEY")
            }
            await #expect(throws: RowDecodingError.self) {
                try await db.write { tx in var account = Account(owner: "b", balance: 2); try tx.insert(&account) }
            }
            // And back: a rowid key again works again.
            try await db.write { tx in
                try tx.execute("DROP TABLE accounts")
                try createAccounts(tx, key: "INTEGER PRIMARY KEY")
                try tx.execute("INSERT INTO accounts (id, owner, balance, version) VALUES (41, 'x', 0, 1)")
                var next = Account(owner: "c", balance: 3)
                try tx.insert(&next)
                #expect(next.id == 42)
            }
        }
    }

    @Test func anInsertATriggerIgnoresIsAnErrorNotTheLastRowIDAgain() async throws {
        try await withDatabase(.sqlite) { db in
            try await db.write { tx in
                try createAccounts(tx, key: "INTEGER PRIMARY KEY")
                var kept = Account(owner: "kept", balance: 1)
                try tx.insert(&kept)
                try tx.execute("""
                    CREATE TRIGGER ignored BEFORE INSERT ON accounts WHEN new.owner = 'ignored' \
                    BEGIN SELECT RAISE(IGNORE); END
                    """)
            }
            await #expect(throws: PersistenceError.unexpectedRowCount(model: "Account", operation: .insert, count: 0)) {
                try await db.write { tx in var account = Account(owner: "ignored", balance: 2); try tx.insert(&account) }
            }
            #expect(try await db.read { tx in try Account.all().count(tx) } == 1)
        }
    }

    /// With room for one statement, checking the key pushes the INSERT out of the cache (finalizing it) before
    /// it runs: the insert must run on a statement prepared again, never on the finalized one.
    @Test func aStatementCacheOfOneStillInsertsWithTheRightKeys() async throws {
        try await withTemporaryDirectory { directory in
            let db = try await Database.sqlite(path: directory.appendingPathComponent("one.sqlite").path,
                                               configuration: SQLiteConfiguration(statementCacheCapacity: 1))
            let inserted = try await db.write { tx in
                try tx.createTable(Account.self)
                return try (1...3).map { balance -> Account in
                    var account = Account(owner: "o\(balance)", balance: Int64(balance))
                    try tx.insert(&account)
                    return account
                }
            }
            #expect(inserted.map(\.id) == [1, 2, 3])
            #expect(try await db.read { tx in try Account.all().order { [$0.id.ascending] }.fetchAll(tx) } == inserted)
            await db.close()
        }
    }
}
