import Foundation
import Synchronization
import VersionedORM
import VersionedORMMacros

/// A deliberately odd dialect: `:pN` placeholders and bracket quotes, so no test passes on `?` or `"` by accident.
struct BracketDialect: SQLDialect {
    var name: String { "bracket" }
    func placeholder(at index: Int) -> String { ":p\(index)" }
    func quote(identifier: String) -> String { "[\(identifier)]" }
    func columnTypeSQL(for storage: ColumnType.Storage) -> String { "T_\(storage)" }
    var generatedPrimaryKeyDeclaration: String { "SERIAL_KEY" }
    var maxBoundParameters: Int { 100 }
    func beginTransactionSQL(_ options: TransactionOptions) -> String {
        options.readOnly ? "BEGIN READ" : "BEGIN WRITE"
    }
    func columnExistsQuery(table: String, column: String) -> SQL {
        "HAS_COLUMN \(table) \(column)"
    }
    func rowLockSQL(_ lock: RowLock) -> String { " LOCK(\(lock.wait), \(lock.tables.joined(separator: "+")))" }
    func transactionLockQuery(named name: String) -> SQL? { "TAKE_TURNS \(name)" }
    func literalSQL(_ value: DatabaseValue) throws -> String { "LITERAL(\(value))" }
}

/// What the fake connection answers: rows for queries, and how many rows each statement changed.
final class Script: Sendable {
    struct Entry: Sendable {
        var rows: [[DatabaseValue]] = []
        var changed = 0
    }

    private let state = Mutex<(sent: [RenderedSQL], answers: [Entry])>(([], []))

    /// Answers used in order for the statements that are not transaction control.
    func answer(_ entries: Entry...) {
        state.withLock { $0.answers.append(contentsOf: entries) }
    }

    func record(_ statement: RenderedSQL) -> Entry {
        state.withLock { state in
            state.sent.append(statement)
            if isTransactionControl(statement.text) || state.answers.isEmpty { return Entry() }
            return state.answers.removeFirst()
        }
    }

    var sent: [RenderedSQL] { state.withLock { $0.sent } }
    var dataStatements: [RenderedSQL] {
        sent.filter { !isTransactionControl($0.text) }
    }
}

/// BEGIN, COMMIT, ROLLBACK and savepoint statements, which the core sends around the statements a test checks.
func isTransactionControl(_ text: String) -> Bool {
    ["BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"].contains { text.hasPrefix($0) }
}

final class FakeRow: RowCursor {
    let values: [DatabaseValue]
    init(_ values: [DatabaseValue]) { self.values = values }
    var columnCount: Int { values.count }
    func value(at index: Int) throws -> DatabaseValue { values[index] }
}

final class FakeConnection: DatabaseConnection {
    let script: Script
    init(script: Script) { self.script = script }
    var isUsable: Bool { true }
    /// Follows the transaction control the core sends, as a database would.
    private(set) var transactionState: ConnectionTransactionState = .none

    func execute(_ statement: RenderedSQL) throws -> Int {
        if statement.text.hasPrefix("BEGIN") { transactionState = .active }
        if statement.text == "COMMIT" || statement.text == "ROLLBACK" { transactionState = .none }
        return script.record(statement).changed
    }

    func query(_ statement: RenderedSQL, _ body: (inout Row) throws -> Void) throws -> Int {
        let entry = script.record(statement)
        for values in entry.rows {
            var row = Row(cursor: FakeRow(values))
            try body(&row)
        }
        return entry.changed
    }
}

struct FakeDriver: DatabaseDriver {
    let script: Script
    var dialect: any SQLDialect { BracketDialect() }
    var topology: PoolTopology { .single }
    var writeLockScope: WriteLockScope { .rows }
    func connectionWait(for options: TransactionOptions) -> ConnectionWait { .wait }
    func openConnection(role: ConnectionRole) throws -> any DatabaseConnection { FakeConnection(script: script) }
    var instrumentationIdentity: InstrumentationIdentity { InstrumentationIdentity(system: "fake", namespace: nil, serverAddress: nil) }
}

@Model(table: "items")
struct Item: Equatable {
    let id: Int64?
    var name: String
    var count: Int64
    var note: String?
    var version: Int64 = 0
}
