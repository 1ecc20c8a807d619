import Foundation
import Logging
@testable import PostgresDriver
import SQLiteDriver
import Synchronization
import Testing
@testable import VersionedORM

#if canImport(Glibc)
import Glibc
#endif

/// Faults of the connection and the process: failed opens, lost and silent servers, cancellation, closing.
@Suite struct DriverFaultTests {
    // MARK: Opening

    @Test func aFileThatIsNotADatabaseFailsToOpenWithATypedErrorEveryTime() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("garbage.sqlite").path
            try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: path))
            // The handle used to be closed twice when setup failed; many attempts make that fatal.
            for _ in 0..<50 {
                await #expect {
                    _ = try await Database.sqlite(path: path)
                } throws: { error in
                    (error as? DatabaseError)?.code.hasPrefix("SQLITE_NOTADB") == true
                }
            }
        }
    }

    @Test func aSQLitePathWithANulIsRefusedAndOpensNothing() async throws {
        try await withTemporaryDirectory { directory in
            let prefix = directory.appendingPathComponent("before").path
            await #expect(throws: DatabaseError.self) {
                _ = try await Database.sqlite(path: prefix + "\u{0}after.sqlite")
            }
            #expect(!FileManager.default.fileExists(atPath: prefix))
        }
    }

    @Test func afterCloseEveryEntryPointSaysClosed() async throws {
        try await withTemporaryDirectory { directory in
            let db = try await Database.sqlite(path: directory.appendingPathComponent("closed.sqlite").path)
            await db.close()
            await #expect(throws: UsageError.databaseClosed) {
                try await db.write(options: TransactionOptions(waitForWriteLock: false)) { _ in }
            }
            await #expect(throws: UsageError.databaseClosed) { try await db.write { _ in } }
            await #expect(throws: UsageError.databaseClosed) { try await db.read { _ in } }
        }
    }

    @Test func aConnectionFailingDuringSessionSetupNeverCrashesTheProcess() async throws {
        let url = try Backend.postgresURL
        let victim = "vorm_victim_\(UUID().uuidString.prefix(8))"
        let admin = try await Database.postgres(url: url, configuration: PostgresConfiguration(poolSize: 1))
        let stop = Atomic<Bool>(false)
        // Terminates every backend of the victim as soon as it appears, so some die between login and the
        // session's SET: the path that used to free the connection twice.
        let killer = Task {
            while !stop.load(ordering: .relaxed) {
                _ = try? await admin.write { tx in
                    try tx.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = \(victim)")
                }
            }
        }
        var connected = 0
        var failed = 0
        for _ in 0..<60 {
            do {
                let db = try await Database.postgres(configuration: PostgresConfiguration(
                    connectionString: url, parameters: ["application_name": victim], poolSize: 1))
                await db.close()
                connected += 1
            } catch let error as DatabaseError {
                // connect() runs an empty transaction: a loss during its COMMIT is an unknown outcome.
                #expect(error.kind == .connectionLost || error.kind == .commitOutcomeUnknown, "\(error)")
                failed += 1
            }
        }
        stop.store(true, ordering: .relaxed)
        _ = await killer.result
        await admin.close()
        #expect(connected + failed == 60)
        print("[postgres] 60 connects under a terminate storm: \(connected) connected, \(failed) lost during login or setup")
    }

    // MARK: Silent servers and timeouts

    #if canImport(Glibc)
    /// A TCP socket on loopback that accepts connections into its backlog and never answers.
    private final class SilentListener {
        let descriptor: Int32
        let port: UInt16

        init() throws {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
            }
            guard bound == 0, listen(descriptor, 16) == 0 else {
                close(descriptor)
                throw TestSetupError("cannot listen on loopback")
            }
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            self.descriptor = descriptor
            port = UInt16(bigEndian: address.sin_port)
        }

        deinit { close(descriptor) }
    }

    @Test(.timeLimit(.minutes(1)))
    func connectingToAServerThatNeverAnswersTimesOut() async throws {
        let listener = try SilentListener()
        let started = ContinuousClock.now
        await #expect {
            _ = try await Database.postgres(
                url: "postgresql://nobody:hunter2@127.0.0.1:\(listener.port)/postgres?sslmode=disable",
                configuration: PostgresConfiguration(connectTimeout: .seconds(2)))
        } throws: { error in
            (error as? DatabaseError)?.kind == .connectionLost && !"\(error)".contains("hunter2")
        }
        #expect(started.duration(to: .now) < .seconds(20))
    }
    #endif

    @Test(.timeLimit(.minutes(1)))
    func aStatementPastTheStatementTimeoutIsCancelledAndTheConnectionStaysUsable() async throws {
        let db = try await Database.postgres(configuration: PostgresConfiguration(
            connectionString: try Backend.postgresURL, poolSize: 1, statementTimeout: .milliseconds(300)))
        let started = ContinuousClock.now
        await #expect {
            try await db.read { tx in try tx.fetchValue(Int.self, "SELECT 1 FROM pg_sleep(20)") }
        } throws: { error in
            (error as? DatabaseError)?.kind == .timedOut
        }
        #expect(started.duration(to: .now) < .seconds(10))
        #expect(try await db.read { tx in try tx.fetchValue(Int.self, "SELECT 41 + 1") } == 42)
        await db.close()
    }

    @Test func timeoutsReachLibpqAndTheURLsOwnSettingsWin() throws {
        let defaults = PostgresConfiguration().timeoutParameters
        #expect(defaults.contains { $0 == ("connect_timeout", "10") })
        #expect(defaults.contains { $0 == ("keepalives", "1") })
        #expect(defaults.contains { $0 == ("tcp_user_timeout", "30000") })
        let unbounded = PostgresConfiguration(connectTimeout: .seconds(Int64.max), tcpKeepalive: nil,
                                              tcpUserTimeout: .seconds(Int64.max)).timeoutParameters
        #expect(unbounded.map(\.0) == ["connect_timeout", "tcp_user_timeout"])
        #expect(unbounded.last?.1 == String(Int32.max))
    }

    // MARK: Cancellation

    @Test(arguments: Backend.allCases)
    func aTaskCancelledBeforeItsTransactionRunsNoneOfIt(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await seedAccounts(db)
            let ran = Counter()
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                try await db.write { tx in ran.increment(); try tx.execute("DELETE FROM \(identifier: "accounts")") }
            }
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(ran.count == 0)
            #expect(try await db.read { tx in try Account.all().count(tx) } == 1)
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: Backend.allCases)
    func cancellingATaskInterruptsItsRunningStatement(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let slow: SQL = backend == .sqlite
                ? "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) SELECT COUNT(*) FROM c"
                : "SELECT COUNT(*) FROM pg_sleep(30)"
            let task = Task { try await db.read { tx in try tx.fetchValue(Int.self, slow) } }
            try await Task.sleep(for: .milliseconds(300))
            let started = ContinuousClock.now
            task.cancel()
            await #expect(throws: CancellationError.self) { _ = try await task.value }
            #expect(started.duration(to: .now) < .seconds(10))
            // The connection serves the next caller normally.
            #expect(try await db.read { tx in try tx.fetchValue(Int.self, "SELECT 7") } == 7)
        }
    }

    @Test(arguments: Backend.allCases)
    func aCancelledModifyStopsRetryingAtOnce(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let account = try await seedAccounts(db)[0]
            let attempts = Counter()
            let task = Task {
                try await RetryPolicy(maxAttempts: 1_000, backoff: .none).run { _ in
                    attempts.increment()
                    if attempts.count == 2 { withUnsafeCurrentTask { $0?.cancel() } }
                    // Always stale: the copy is from before a write.
                    try await db.write { tx in var copy = account; copy.version = 99; try tx.touch(&copy) }
                }
            }
            await #expect(throws: (any Error).self) { _ = try await task.value }
            #expect(attempts.count == 2)
        }
    }

    // MARK: Pool

    @Test func waitingForConnectionsLeavesNoTimerBehind() async throws {
        try await withTemporaryDirectory { directory in
            let db = try await Database.sqlite(path: directory.appendingPathComponent("pool.sqlite").path)
            try await seedAccounts(db)
            let waits = Counter()
            try await runConcurrently(tasks: 4, timesEach: 250) {
                try await db.write { tx in try Account.all().updateAll(tx) { $0.balance += 1 } }
                if db.pendingConnectionTimeouts > 0 { waits.increment() }
                return 1
            }
            #expect(waits.count > 0, "the writers never queued: the test did not exercise waiting")
            #expect(db.pendingConnectionTimeouts == 0)
            #expect(try await db.read { tx in try Account.all().fetchOne(tx) }?.balance == 1_100)
            await db.close()
        }
    }
}
