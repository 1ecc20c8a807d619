import Foundation
import SQLiteDriver
import Testing
import VersionedORM

/// Behaviour only SQLite has: a file shared with other processes, and in-memory databases.
@Suite struct SQLiteTests {
    @Test func anotherWritersLockMakesWritesFailAfterTheBoundedBusyTimeout() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("shared.sqlite").path
            // Two Database values on one file behave like two processes: separate writer connections.
            let first = try await Database.sqlite(path: path)
            let second = try await Database.sqlite(path: path, configuration: SQLiteConfiguration(busyTimeout: .milliseconds(200)))
            try await seedAccounts(first)
            try await whileAnotherTransactionHolds(first, { _ in }) {
                let started = ContinuousClock.now
                do {
                    try await second.write { tx in try tx.execute("DELETE FROM \(identifier: "accounts")") }
                    Issue.record("wrote while another connection held the write lock")
                } catch let error as DatabaseError {
                    #expect(error.kind == .busy)
                    #expect(error.isTransient)
                    #expect(error.code.hasPrefix("SQLITE_BUSY"))
                }
                // Bounded: it gave up after about the busy timeout instead of waiting for the holder.
                let waited = ContinuousClock.now - started
                #expect(waited >= .milliseconds(150) && waited < .seconds(5))
            }
            #expect(try await second.read { tx in try Account.all().count(tx) } == 1)
            await first.close()
            await second.close()
        }
    }

    @Test func noWaitFailsAtOnceWhileAnotherWriterHoldsTheDatabase() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("nowait.sqlite").path
            let db = try await Database.sqlite(path: path)
            // Another "process": its own writer connection, and a long busy timeout that NOWAIT must not sit out.
            let other = try await Database.sqlite(path: path, configuration: SQLiteConfiguration(busyTimeout: .seconds(20)))
            try await seedAccounts(db)
            let noWait = TransactionOptions(waitForWriteLock: false)
            try await whileAnotherTransactionHolds(db, { _ in }) {
                let started = ContinuousClock.now
                for attempt in ["async", "blocking", "other connection"] {
                    do {
                        switch attempt {
                        case "async": try await db.write(options: noWait) { _ in }
                        case "blocking": try await onPlainThread { try db.writeSync(options: noWait) { _ in } }
                        default: try await other.write(options: noWait) { _ in }
                        }
                        Issue.record("\(attempt): NOWAIT got the write lock while it was held")
                    } catch let error as DatabaseError {
                        #expect(error.kind == .lockNotAvailable, "\(attempt)")
                        // In the process or from another one: the same error, decided in one place.
                        #expect(error.code.hasPrefix("SQLITE_BUSY"), "\(attempt): \(error.code)")
                    }
                }
                #expect(ContinuousClock.now - started < .seconds(5))
            }
            // Once the lock is free, NOWAIT writes go through.
            try await other.write(options: noWait) { tx in try tx.execute("DELETE FROM \(identifier: "accounts")") }
            await db.close()
            await other.close()
        }
    }

    @Test func inMemoryDatabasesWorkOnOneConnection() async throws {
        let db = try await Database.sqliteInMemory()
        let account = try await seedAccounts(db)[0]
        let updated = try await db.write { tx in var copy = account; try tx.update(&copy) { $0.balance = 3 }; return copy }
        #expect(try await db.read { tx in try tx.find(Account.self, id: account.id ?? 0) } == updated)
        await #expect(throws: UsageError.writeInReadTransaction("touch")) {
            try await db.read { tx in var copy = updated; try tx.touch(&copy) }
        }
        do {
            try await db.read { tx in try tx.execute("DELETE FROM \(identifier: "accounts")") }
            Issue.record("a raw write inside read succeeded on the in-memory connection")
        } catch let error as DatabaseError {
            #expect(error.kind == .readOnly)
        }
        await db.close()
        await #expect(throws: UsageError.databaseClosed) { try await db.read { _ in } }
    }

    @Test func textWithNULCharactersRoundTrips() async throws {
        try await withDatabase(.sqlite) { db in
            try await seedAccounts(db, balances: [])
            let owner = "before\0after"
            let stored = try await db.write { tx in
                var account = Account(owner: owner, balance: 1)
                try tx.insert(&account)
                return try tx.find(Account.self, id: account.id ?? 0)
            }
            #expect(stored?.owner == owner)
        }
    }
}

@Suite struct PostgresValueTests {
    @Test func textWithANULCharacterIsRefusedNeverTruncated() async throws {
        try await withDatabase(.postgres) { db in
            try await seedAccounts(db, balances: [])
            do {
                try await db.write { tx in var account = Account(owner: "before\0after", balance: 1); try tx.insert(&account) }
                Issue.record("PostgreSQL accepted text with a NUL")
            } catch let error as DatabaseError {
                #expect(error.kind == .invalidValue)
            }
            #expect(try await db.read { tx in try Account.all().count(tx) } == 0)
        }
    }
}
