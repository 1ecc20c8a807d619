/// How one database spells what the core builds: placeholders, identifier quotes, column types, transaction
/// openings and row locks. Every statement the core sends is rendered through the connection's dialect.
public protocol SQLDialect: Sendable {
    /// A short name for logs and errors (`"sqlite"`).
    var name: String { get }
    /// The placeholder for the parameter at `index`, counting from 1.
    func placeholder(at index: Int) -> String
    /// The identifier quoted; it has already passed ``Identifier`` validation.
    func quote(identifier: String) -> String
    /// The SQL type for a column, without NULL or NOT NULL.
    func columnTypeSQL(for storage: ColumnType.Storage) -> String
    /// The declaration of an auto-generated `Int64` primary key column, after its quoted name.
    var generatedPrimaryKeyDeclaration: String { get }
    /// The most values one statement may bind (SQLite's SQLITE_MAX_VARIABLE_NUMBER, PostgreSQL's 65,535).
    var maxBoundParameters: Int { get }
    /// The statement that opens a transaction with these options.
    func beginTransactionSQL(_ options: TransactionOptions) -> String
    /// A query that returns one row with one integer: 1 when `table` has `column`, else 0.
    func columnExistsQuery(table: String, column: String) -> SQL
    /// A statement that, run inside a write transaction, makes every other transaction that runs it with the
    /// same `name` wait until this one ends — so schema work such as ``Migrator``'s runs one runner at a time
    /// even across processes. `nil` when write transactions already take turns (SQLite's single writer).
    func transactionLockQuery(named name: String) -> SQL?
    /// `value` as a literal of this database, for a column's DEFAULT, where no parameter can be bound. Throws
    /// ``SchemaError`` for a value with no literal (a NUL in text, a non-finite double, a date out of range).
    func literalSQL(_ value: DatabaseValue) throws -> String
    /// The clause that locks the selected rows, with a leading space, or "" when the write transaction already
    /// holds them (``WriteLockScope/database``). Table names have been validated.
    func rowLockSQL(_ lock: RowLock) -> String
    /// Ends a transaction, keeping its work.
    var commitSQL: String { get }
    /// Ends a transaction, undoing its work.
    var rollbackSQL: String { get }
    /// Opens, releases and rolls back to a savepoint; `name` is already quoted.
    func savepointSQL(_ name: String) -> String
    func releaseSavepointSQL(_ name: String) -> String
    func rollbackToSavepointSQL(_ name: String) -> String
    /// Whether `UPDATE … FROM (VALUES …) AS v(…)` with RETURNING works, so many versioned writes can go in one
    /// statement (``Transaction/saveAll(_:)``). False by default: one statement per row.
    var updatesFromValues: Bool { get }
}

/// The standard spelling, which SQLite and PostgreSQL share.
extension SQLDialect {
    /// `COMMIT`.
    public var commitSQL: String { "COMMIT" }
    /// `ROLLBACK`.
    public var rollbackSQL: String { "ROLLBACK" }
    /// `SAVEPOINT name`.
    public func savepointSQL(_ name: String) -> String { "SAVEPOINT \(name)" }
    /// `RELEASE SAVEPOINT name`.
    public func releaseSavepointSQL(_ name: String) -> String { "RELEASE SAVEPOINT \(name)" }
    /// `ROLLBACK TO SAVEPOINT name`.
    public func rollbackToSavepointSQL(_ name: String) -> String { "ROLLBACK TO SAVEPOINT \(name)" }
    /// False: one versioned UPDATE per row, unless the dialect says otherwise.
    public var updatesFromValues: Bool { false }
}

extension SQLDialect {
    /// Renders a statement: quotes identifiers (validating them first) and numbers placeholders.
    package func render(_ sql: SQL) throws -> RenderedSQL {
        var text = ""
        var binds: [DatabaseValue] = []
        for segment in sql.segments {
            switch segment {
            case .text(let literal):
                text += literal
            case .identifier(let name):
                try Identifier.validate(name)
                text += quote(identifier: name)
            case .value(let value):
                binds.append(value)
                text += placeholder(at: binds.count)
            case .rowLock(let lock):
                for table in lock.tables { try Identifier.validate(table) }
                text += rowLockSQL(lock)
            case .columnType(let storage):
                text += columnTypeSQL(for: storage)
            case .invalid(let message):
                throw SchemaError(message)
            case .invalidArgument(let message):
                throw UsageError.invalidArgument(message)
            }
        }
        return RenderedSQL(text: text, binds: binds, caching: sql.isOneOff ? .transient : .persistent)
    }
}
