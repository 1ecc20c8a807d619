import Foundation
import SQLiteDriver
import Synchronization
import Testing
import VersionedORM

/// The databases the behaviour suite runs against; every behaviour test takes one as its argument.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite

    var testDescription: String { rawValue }
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
    _ body: (Database) async throws -> Void
) async throws {
    var configuration = DatabaseConfiguration(connectionTimeout: connectionTimeout)
    if let log { configuration.trace = { log.record($0) } }
    switch backend {
    case .sqlite:
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("versioned-orm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try await Database.sqlite(
            path: directory.appendingPathComponent("test.sqlite").path,
            configuration: SQLiteConfiguration(database: configuration, synchronous: .normal))
        do {
            try await body(database)
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }
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
