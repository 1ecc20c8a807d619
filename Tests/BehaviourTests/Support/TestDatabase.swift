import Foundation
import PostgresDriver
import SQLiteDriver
import Synchronization
import Testing
import VersionedORM

/// The databases the behaviour suite runs against; every behaviour test takes one as its argument.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// The server the PostgreSQL tests use; scripts/test.sh starts one and sets this. When it is missing the
    /// PostgreSQL tests fail: they never skip.
    static var postgresURL: String {
        get throws { try requiredEnvironment("VERSIONED_ORM_POSTGRES_URL", startedBy: "a throwaway server") }
    }
}

/// A server address scripts/test.sh exports; a missing one fails the test that needs it, never skips it.
func requiredEnvironment(_ name: String, startedBy what: String) throws -> String {
    guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
        throw TestSetupError("\(name) is not set: run scripts/test.sh, which starts \(what), or point it at one")
    }
    return value
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Collects the text of every statement a database sends.
final class StatementLog: Sendable {
    private let entries = Mutex<[String]>([])

    var statements: [String] { entries.withLock { $0 } }

    func record(_ statement: String) {
        entries.withLock { $0.append(statement) }
    }

    func clear() {
        entries.withLock { $0.removeAll() }
    }

    /// Statements other than transaction control.
    var dataStatements: [String] {
        statements.filter { text in
            !["BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"].contains { text.uppercased().hasPrefix($0) }
        }
    }
}

/// A fresh, empty database of `backend` for one test, removed afterwards.
func withDatabase(
    _ backend: Backend,
    log: StatementLog? = nil,
    connectionTimeout: Duration = .seconds(30),
    poolSize: Int = 4,
    configure: (inout DatabaseConfiguration) -> Void = { _ in },
    _ body: (Database) async throws -> Void
) async throws {
    try await withClients(backend, count: 1, log: log, connectionTimeout: connectionTimeout, poolSize: poolSize,
                          configure: configure) {
        try await body($0[0])
    }
}

/// `count` separate `Database` handles on one fresh database, as `count` processes would have: each with its own
/// pool (and on SQLite its own writer), so they race the way separate application servers do. Only the first
/// is traced into `log`.
func withClients(
    _ backend: Backend,
    count: Int,
    log: StatementLog? = nil,
    connectionTimeout: Duration = .seconds(30),
    poolSize: Int = 4,
    configure: (inout DatabaseConfiguration) -> Void = { _ in },
    _ body: ([Database]) async throws -> Void
) async throws {
    func configuration(_ client: Int) -> DatabaseConfiguration {
        var configuration = DatabaseConfiguration(connectionTimeout: connectionTimeout)
        if let log, client == 0 { configuration.trace = { log.record($0) } }
        configure(&configuration)
        return configuration
    }
    switch backend {
    case .sqlite:
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("versioned-orm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var databases: [Database] = []
        for client in 0..<count {
            databases.append(try await Database.sqlite(
                path: directory.appendingPathComponent("test.sqlite").path,
                configuration: SQLiteConfiguration(database: configuration(client), synchronous: .normal)))
        }
        try await run(body, on: databases)
    case .postgres:
        // Tests run in parallel; a stock server allows 100 connections, so the suite keeps its own within budget.
        let permits = try await postgresConnectionBudget.acquire((poolSize + 1) * count)
        defer { postgresConnectionBudget.release(permits) }
        // Each test gets its own schema, found through search_path, so tests run in parallel on one server.
        let url = try Backend.postgresURL
        let schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try await Database.postgres(url: url, configuration: PostgresConfiguration(poolSize: 1))
        try await admin.write { tx in try tx.execute("CREATE SCHEMA \(identifier: schema)") }
        do {
            var databases: [Database] = []
            for client in 0..<count {
                databases.append(try await Database.postgres(configuration: PostgresConfiguration(
                    connectionString: url, parameters: ["options": "-c search_path=\(schema)"],
                    database: configuration(client), poolSize: poolSize)))
            }
            try await run(body, on: databases)
        } catch {
            _ = try? await admin.write { tx in try tx.execute("DROP SCHEMA \(identifier: schema) CASCADE") }
            await admin.close()
            throw error
        }
        try await admin.write { tx in try tx.execute("DROP SCHEMA \(identifier: schema) CASCADE") }
        await admin.close()
    }
}

/// Connections the suite's pools may hold at once on the PostgreSQL server. A stock server has
/// `max_connections = 100`; this leaves room for the few connections tests open by hand and for other clients.
let postgresConnectionBudget = ConnectionBudget(60)

/// A counting semaphore for async code: waiters queue in order until enough permits are free.
final class ConnectionBudget: Sendable {
    private struct State {
        var available: Int
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let capacity: Int
    private let state: Mutex<State>

    init(_ capacity: Int) {
        self.capacity = capacity
        state = Mutex(State(available: capacity))
    }

    /// Waits until `count` permits (at most the whole budget) are free and takes them; returns how many it took.
    func acquire(_ count: Int) async throws -> Int {
        let wanted = min(count, capacity)
        await withCheckedContinuation { continuation in
            let granted = state.withLock { state in
                guard state.waiters.isEmpty, state.available >= wanted else {
                    state.waiters.append((wanted, continuation))
                    return false
                }
                state.available -= wanted
                return true
            }
            if granted { continuation.resume() }
        }
        return wanted
    }

    func release(_ count: Int) {
        let ready: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.available += count
            var ready: [CheckedContinuation<Void, Never>] = []
            while let first = state.waiters.first, first.count <= state.available {
                state.available -= first.count
                ready.append(state.waiters.removeFirst().continuation)
            }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }
}

private func run(_ body: ([Database]) async throws -> Void, on databases: [Database]) async throws {
    do {
        try await body(databases)
    } catch {
        for database in databases { await database.close() }
        throw error
    }
    for database in databases { await database.close() }
}

/// Creates the accounts table and inserts accounts with the given balances.
@discardableResult
func seedAccounts(_ database: Database, balances: [Int64] = [100]) async throws -> [Account] {
    try await database.write { tx in
        try tx.createTable(Account.self)
        return try balances.enumerated().map { offset, balance in
            var account = Account(owner: "owner\(offset)", balance: balance)
            try tx.insert(&account)
            return account
        }
    }
}

func reload(_ database: Database, _ account: Account) async throws -> Account? {
    guard let id = account.id else { return nil }
    return try await database.read { tx in try tx.find(Account.self, id: id) }
}

/// Runs `body` and returns the StaleRecordError it throws; records an issue when it throws nothing or another error.
func expectStale(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> StaleRecordError? {
    do {
        try await body()
        Issue.record("expected a StaleRecordError, but the write succeeded", sourceLocation: sourceLocation)
    } catch let error as StaleRecordError {
        return error
    } catch {
        Issue.record("expected a StaleRecordError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// A counter shared by concurrent tasks.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func increment() { value.add(1, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

/// Polls `condition` until it holds or `timeout` passes; records an issue on timeout.
func waitUntil(timeout: Duration = .seconds(10), _ what: String,
               _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out waiting until \(what)")
}

/// A one-shot signal between a transaction closure (on a connection's thread) and the test.
final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func open() { semaphore.signal() }
    /// Blocks the calling thread: only for transaction closures, which run on their connection's own thread.
    func waitBlocking() { semaphore.wait() }
    func wait() async { await withCheckedContinuation { continuation in
        DispatchQueue.global().async { self.semaphore.wait(); continuation.resume() }
    } }
}

/// Runs `step` `timesEach` times in each of `tasks` concurrent tasks; returns the sum of what the steps returned.
@discardableResult
func runConcurrently(tasks: Int, timesEach: Int, _ step: @escaping @Sendable () async throws -> Int) async throws -> Int {
    try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<tasks {
            group.addTask {
                var total = 0
                for _ in 0..<timesEach { total += try await step() }
                return total
            }
        }
        return try await group.reduce(0, +)
    }
}

/// Runs `body` while another transaction on `db` holds the locks `lock` takes (a row lock on PostgreSQL; the
/// write lock on SQLite), and releases them when `body` returns or throws.
func whileAnotherTransactionHolds(_ db: Database, _ lock: @escaping @Sendable (Transaction) throws -> Void,
                                  _ body: () async throws -> Void) async throws {
    let holding = Gate()
    let release = Gate()
    let holder = Task {
        try await db.write { tx in
            try lock(tx)
            holding.open()
            release.waitBlocking()
        }
    }
    await holding.wait()
    do {
        try await body()
    } catch {
        release.open()
        _ = await holder.result
        throw error
    }
    release.open()
    try await holder.value
}

/// A fresh temporary directory for the duration of `body`.
func withTemporaryDirectory(_ body: (URL) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("versioned-orm-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try await body(directory)
}

/// Waits until the PostgreSQL backend `pid` blocks exactly one other backend with its locks.
func waitUntilSomeoneWaits(on pid: Int, in db: Database, _ what: String) async throws {
    try await waitUntil(what) {
        let blocked = try await db.read { tx in
            try tx.fetchValue(Int.self, "SELECT COUNT(*) FROM pg_stat_activity WHERE \(pid) = ANY(pg_blocking_pids(pid))")
        }
        return (blocked ?? 0) == 1
    }
}

/// Thrown by a test to make a closure fail on purpose.
struct ExpectedFailure: Error {}

/// Runs blocking code on a dispatch thread, outside Swift concurrency, as a synchronous caller would.
func onPlainThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

/// Runs `body` on a copy of `value` in one write transaction and keeps the copy only when it commits, as a
/// caller holding a value across transactions does (`db.write` closures are `@Sendable`).
func write<M: Sendable>(_ db: Database, _ value: inout M,
                     _ body: @escaping @Sendable (Transaction, inout M) throws -> Void) async throws {
    value = try await db.write { [value] tx in
        var copy = value
        try body(tx, &copy)
        return copy
    }
}
