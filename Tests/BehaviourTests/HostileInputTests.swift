import Foundation
import SQLiteDriver
import Testing
import VersionedORM

/// Values and settings from the outside world: refused with a typed error and nothing sent, never a trap, never a
/// value that reads back differently.
@Suite struct HostileInputTests {
    private func sample(date: Date, double: Double = 1.5) -> Sample {
        Sample(flag: true, int: 1, int32: 2, int64: 3, double: double, text: "t", data: Data([1]), date: date,
               uuid: UUID(), tier: .gold)
    }

    private static let unstorableDates: [Double] = [1e300, -1e300, .infinity, -.infinity, .nan,
                                                    // 10000-01-01T00:00:00Z, and a second before 0001-01-01
                                                    253_402_300_800, -62_135_596_801]

    @Test(arguments: Backend.allCases)
    func unstorableDatesAreRefusedBeforeAnythingIsSent(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            try await db.write { tx in try tx.createTable(Sample.self) }
            for seconds in Self.unstorableDates {
                let date = Date(timeIntervalSince1970: seconds)
                log.clear()
                await #expect {
                    try await db.write { [self] tx in var value = sample(date: date); try tx.insert(&value) }
                } throws: { error in
                    (error as? DatabaseError)?.kind == .invalidValue && (error as? DatabaseError)?.code == "22008"
                }
                // A filter too: a JSON client can send such a date.
                await #expect(throws: DatabaseError.self) {
                    try await db.read { tx in try Sample.where { $0.date < date }.fetchAll(tx) }
                }
                #expect(log.dataStatements.isEmpty, "\(seconds)")
            }
            #expect(try await db.read { tx in try Sample.all().count(tx) } == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func everyAcceptedDateReadsBackEqualUpToTheEdgesOfTheCalendar(backend: Backend) async throws {
        let dates = [
            Date(timeIntervalSince1970: -62_135_596_800),           // 0001-01-01T00:00:00Z
            Date(timeIntervalSince1970: 253_402_300_799),           // 9999-12-31T23:59:59Z, the usual "end of time"
            Date(timeIntervalSince1970: 253_402_300_799.999_9),     // as close to year 10000 as a Date gets here
            Date(timeIntervalSince1970: -0.000_001),
            Date(timeIntervalSince1970: 1_795_281_341.123_456),
        ]
        try await withDatabase(backend) { db in
            try await db.write { tx in try tx.createTable(Sample.self) }
            for date in dates {
                let written = try await db.write { [self] tx in var value = sample(date: date); try tx.insert(&value); return value }
                let stored = try #require(try await db.read { tx in try Sample.where { $0.id == written.id! }.fetchOne(tx) })
                #expect(TimestampText.microseconds(since1970: stored.date) == TimestampText.microseconds(since1970: date))
                // Far from 1970 a Date resolves less than a microsecond, so it reads back exactly.
                if abs(date.timeIntervalSince1970) > 1e10 { #expect(stored.date == date) }
                // The stored value is found by the date it was written with.
                #expect(try await db.read { tx in try Sample.where { $0.date == date }.count(tx) } == 1)
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func nanIsRefusedAndNegativeZeroIsStoredAsZeroOnBothDatabases(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await db.write { tx in try tx.createTable(Sample.self) }
            await #expect {
                try await db.write { [self] tx in var value = sample(date: Date(), double: .nan); try tx.insert(&value) }
            } throws: { error in
                (error as? DatabaseError)?.kind == .invalidValue
            }
            let written = try await db.write { [self] tx in
                var value = sample(date: Date(), double: -0.0)
                try tx.insert(&value)
                return value
            }
            let stored = try #require(try await db.read { tx in try Sample.where { $0.id == written.id! }.fetchOne(tx) })
            #expect(stored.double == 0 && stored.double.sign == .plus)
            // Infinity is stored and read back by both.
            let infinite = try await db.write { [self] tx in
                var value = sample(date: Date(), double: -.infinity)
                try tx.insert(&value)
                return value
            }
            #expect(try await db.read { tx in try Sample.where { $0.id == infinite.id! }.fetchOne(tx) }?.double == -.infinity)
        }
    }

    @Test(arguments: Backend.allCases)
    func aBulkUpdateOfARowAtInt64MaxChangesNothingAndSaysWhy(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let accounts = try await seedAccounts(db, balances: [100, 200])
            let atMax = try #require(accounts[0].id)
            try await db.write { tx in
                try tx.execute("UPDATE \(identifier: "accounts") SET \(identifier: "version") = \(Int64.max) WHERE \(identifier: "id") = \(atMax)")
            }
            await #expect(throws: PersistenceError.versionOverflow(model: "Account", primaryKey: nil)) {
                try await db.write { tx in try Account.all().updateAll(tx) { $0.balance -= 1 } }
            }
            await #expect(throws: PersistenceError.versionOverflow(model: "Account", primaryKey: nil)) {
                try await db.write { tx in try Account.where { $0.id == atMax }.updateAllReturning(tx) { $0.balance -= 1 } }
            }
            await #expect(throws: PersistenceError.versionOverflow(model: "Account", primaryKey: AnyPrimaryKey(atMax))) {
                try await db.modify(Account.self, id: atMax, using: .naive) { $0.balance = 0 }
            }
            // No row was damaged or changed: both still read back, with their old balances.
            let stored = try await db.read { tx in try Account.order { [$0.balance.ascending] }.fetchAll(tx) }
            #expect(stored.map(\.balance) == [100, 200])
            #expect(stored.map(\.version) == [Int64.max, 1])
        }
    }

    @Test(arguments: Backend.allCases)
    func aModelWhoseKeyCanBeReassignedIsRefusedBeforeAnySQL(backend: Backend) async throws {
        struct Reassignable: Model {
            var id: Int64?
            var name: String
            var version: Int64 = 0
            static let schema = Schema<Reassignable>(table: "reassignable", primaryKey: \.id, version: \.version) {
                Column("name", \.name)
            }
            init(name: String) { id = nil; self.name = name }
            init(row: inout Row) throws { id = try row.next(); name = try row.next(); version = try row.next() }
        }
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            log.clear()
            await #expect {
                try await db.write { tx in try tx.createTable(Reassignable.self) }
            } throws: { error in
                (error as? SchemaError)?.description.contains("must be a 'let'") == true
            }
            await #expect(throws: SchemaError.self) {
                try await db.write { tx in var value = Reassignable(name: "a"); try tx.insert(&value) }
            }
            #expect(log.dataStatements.isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func tooManyParametersIsAStatementErrorNotALostConnection(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await seedAccounts(db)
            // Past PostgreSQL's 65,535 and past the 250,000 of Debian's SQLite build.
            let keys = (0..<300_000).map { Int64($0) }
            await #expect {
                try await db.read { tx in try Account.where { $0.id.in(keys) }.fetchAll(tx) }
            } throws: { error in
                (error as? DatabaseError)?.kind == .invalidStatement
            }
            // The connection is fine: the next read works.
            #expect(try await db.read { tx in try Account.all().count(tx) } == 1)
        }
    }

    @Test func extremeRetrySettingsSaturateInsteadOfTrapping() throws {
        let noCap = RetryPolicy(maxAttempts: 100, backoff: .exponential(base: .seconds(1), cap: .seconds(Int64.max)))
        for retry in [1, 40, 62, 63, 99, Int.max] {
            let wait = noCap.delay(beforeRetry: retry)
            #expect(wait >= .zero && wait <= .seconds(Int64.max))
        }
        #expect(RetryPolicy.uniformJitter(.seconds(Int64.max)) >= .zero)
        let huge = RetryPolicy(maxAttempts: 3, backoff: .constant(.seconds(Int64.max)), deadline: .seconds(Int64.max))
        #expect(huge.delay(beforeRetry: 2) == .seconds(Int64.max))
    }

    @Test func aHugeRetryDeadlineWithAHugeWaitEndsTheRunInsteadOfTrapping() async throws {
        let policy = RetryPolicy(maxAttempts: 3, backoff: .constant(.seconds(Int64.max)), deadline: .seconds(60))
        await #expect(throws: DatabaseError.self) {
            _ = try await policy.run { _ -> Int in throw DatabaseError(kind: .busy, code: "SQLITE_BUSY", message: "busy") }
        }
    }

    @Test func anUnboundedSQLiteBusyTimeoutAndPoolTimeoutWork() async throws {
        try await withTemporaryDirectory { directory in
            let db = try await Database.sqlite(
                path: directory.appendingPathComponent("forever.sqlite").path,
                configuration: SQLiteConfiguration(database: DatabaseConfiguration(connectionTimeout: .seconds(Int64.max)),
                                                   busyTimeout: .seconds(Int64.max)))
            try await seedAccounts(db)
            #expect(try await db.read { tx in try Account.all().count(tx) } == 1)
            await db.close()
        }
    }
}
