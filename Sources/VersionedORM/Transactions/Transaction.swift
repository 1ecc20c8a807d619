import Logging

/// A transaction on one connection, handed to the closure of `Database.write` or `Database.read`.
///
/// Everything a closure does through its `Transaction` commits together when the closure returns and rolls back
/// when it throws. The object is not `Sendable` and must not outlive its closure: using it afterwards throws
/// ``UsageError/transactionFinished``.
public final class Transaction {
    /// The dialect every statement of this transaction is rendered with.
    public let dialect: any SQLDialect
    /// True inside `read`: the library's write operations throw, and the database refuses raw writes.
    public let isReadOnly: Bool
    /// True inside `writeWithoutTransaction`: each statement commits on its own.
    public let isAutocommit: Bool
    private let connection: any DatabaseConnection
    let context: DatabaseContext
    private(set) var isActive = true
    private var savepointDepth = 0

    init(connection: any DatabaseConnection, isReadOnly: Bool, isAutocommit: Bool = false, context: DatabaseContext) {
        self.connection = connection
        self.dialect = context.dialect
        self.isReadOnly = isReadOnly
        self.isAutocommit = isAutocommit
        self.context = context
    }

    /// Runs `body` on `connection` with no enclosing transaction: every statement commits by itself.
    static func performWithoutTransaction<T>(
        on connection: any DatabaseConnection,
        context: DatabaseContext,
        _ body: (Transaction) throws -> T
    ) throws -> T {
        let session = Transaction(connection: connection, isReadOnly: false, isAutocommit: true, context: context)
        defer { session.isActive = false }
        return try body(session)
    }

    /// Opens a transaction on `connection`, runs `body`, commits on return and rolls back on throw.
    static func perform<T>(
        on connection: any DatabaseConnection,
        options: TransactionOptions,
        context: DatabaseContext,
        _ body: (Transaction) throws -> T
    ) throws -> T {
        let transaction = Transaction(connection: connection, isReadOnly: options.readOnly, context: context)
        defer { transaction.isActive = false }
        try connection.transactionWillBegin(options)
        defer { connection.transactionDidEnd() }
        do {
            try transaction.send(RenderedSQL(text: context.dialect.beginTransactionSQL(options)))
        } catch let error as DatabaseError where error.kind == .connectionLost {
            throw ConnectionLostBeforeWork(underlying: error)
        }
        let result: T
        do {
            result = try body(transaction)
        } catch {
            transaction.rollbackQuietly()
            throw error
        }
        do {
            try transaction.send(RenderedSQL(text: "COMMIT"))
        } catch {
            transaction.rollbackQuietly()
            throw error
        }
        return result
    }

    /// Runs `body` inside a savepoint: its work is released into the transaction on return and undone on throw,
    /// leaving the enclosing transaction usable. Savepoints nest.
    ///
    /// A Swift value saved inside a savepoint that rolls back keeps the version it was given; reload it before
    /// saving it again, or the save reports a ``StaleRecordError``.
    @discardableResult
    public func savepoint<T>(_ body: (Transaction) throws -> T) throws -> T {
        try requireActive()
        if isAutocommit { throw UsageError.savepointWithoutTransaction }
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let name = context.dialect.quote(identifier: "versioned_orm_sp\(savepointDepth)")
        try send(RenderedSQL(text: "SAVEPOINT \(name)"))
        do {
            let result = try body(self)
            try send(RenderedSQL(text: "RELEASE SAVEPOINT \(name)"))
            return result
        } catch {
            try send(RenderedSQL(text: "ROLLBACK TO SAVEPOINT \(name)"))
            try send(RenderedSQL(text: "RELEASE SAVEPOINT \(name)"))
            throw error
        }
    }

    // MARK: Raw SQL

    /// Runs a statement and returns the number of rows it changed. Interpolated values are bound parameters.
    @discardableResult
    public func execute(_ sql: SQL) throws -> Int {
        try send(render(sql))
    }

    /// Runs a query and decodes each row as a model (the query selects the model's columns in schema order).
    public func fetchAll<M: Model>(_ type: M.Type, _ sql: SQL) throws -> [M] {
        var models: [M] = []
        try query(render(sql)) { row in models.append(try M.decode(&row)) }
        return models
    }

    /// Runs a query and returns every row's values.
    public func fetchRows(_ sql: SQL) throws -> [[DatabaseValue]] {
        var rows: [[DatabaseValue]] = []
        try query(render(sql)) { row in rows.append(try row.values()) }
        return rows
    }

    /// Runs a query and returns the first column of the first row, or nil when there is no row.
    public func fetchValue<V: DatabaseValueConvertible>(_ type: V.Type, _ sql: SQL) throws -> V? {
        var value: V?
        var seen = false
        try query(render(sql)) { row in
            if !seen {
                value = try row.decode(V.self, at: 0)
                seen = true
            }
        }
        return value
    }

    // MARK: Plumbing shared by the persistence and query layers

    @usableFromInline
    func render(_ sql: SQL) throws -> RenderedSQL {
        try context.dialect.render(sql)
    }

    @usableFromInline
    func requireActive() throws {
        guard isActive else { throw UsageError.transactionFinished }
    }

    func requireWritable(_ operation: String) throws {
        try requireActive()
        if isReadOnly { throw UsageError.writeInReadTransaction(operation) }
    }

    @discardableResult
    func send(_ statement: RenderedSQL) throws -> Int {
        try requireActive()
        willSend(statement)
        do {
            return try connection.execute(statement)
        } catch let error as DatabaseError {
            throw error.with(statement: statement, revealValues: context.configuration.revealsValuesInErrors)
        }
    }

    @usableFromInline
    @discardableResult
    func query(_ statement: RenderedSQL, _ body: (inout Row) throws -> Void) throws -> Int {
        try requireActive()
        willSend(statement)
        do {
            return try connection.query(statement, body)
        } catch let error as DatabaseError {
            throw error.with(statement: statement, revealValues: context.configuration.revealsValuesInErrors)
        }
    }

    private func willSend(_ statement: RenderedSQL) {
        context.configuration.trace?(statement.text)
        context.configuration.logger.trace("statement", metadata: ["db.statement": .string(statement.text)])
    }

    private func rollbackQuietly() {
        do {
            try send(RenderedSQL(text: "ROLLBACK"))
        } catch {
            // The transaction may already be gone (PostgreSQL ends it on a failed COMMIT; a lost connection ends
            // everything); the original error is what the caller needs to see.
            context.configuration.logger.debug("rollback failed", metadata: ["error": "\(error)"])
        }
    }
}

/// BEGIN found the connection dead: nothing of the caller's ran, so the lane may replace the connection and run
/// the transaction again.
struct ConnectionLostBeforeWork: Error {
    let underlying: DatabaseError
}

extension Model {
    /// Decodes one row with `init(row:)` and checks it read exactly the schema's columns.
    @inlinable
    static func decode(_ row: inout Row) throws -> Self {
        let model: Self
        do {
            model = try Self(row: &row)
        } catch let error as RowDecodingError {
            throw RowDecodingError(model: String(describing: Self.self), columnIndex: error.columnIndex,
                                   reason: error.reason)
        }
        guard row.position == row.count else {
            throw RowDecodingError(model: String(describing: Self.self), columnIndex: nil,
                                   reason: "init(row:) read \(row.position) of the row's \(row.count) values")
        }
        return model
    }
}
