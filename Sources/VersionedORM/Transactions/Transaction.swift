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
    /// True behind an ``AutocommitSession``: each statement commits on its own.
    let isAutocommit: Bool
    /// Set by ``TransactionOptions/lockingReads``: finds and fetches lock what they read.
    @usableFromInline let readLock: RowLockWait?
    /// Set by `db.write(using: .adaptive)` for its first attempt where rows can be locked: finds by key lock the
    /// rows that are hot.
    @usableFromInline var adaptiveReads: AdaptiveReadLocks?
    /// The rows an adaptive unit of work has read without a lock so far, each with a way to lock it and check
    /// it still has the version read; emptied once it starts locking (see `findAdaptively`).
    var adaptiveUnlockedReads: [(Transaction) throws -> Void] = []
    /// Whether an adaptive unit of work has met a hot row: from then on it locks everything it reads.
    var adaptiveLocksFromNowOn = false
    private let connection: any DatabaseConnection
    let context: DatabaseContext
    private(set) var isActive = true
    private var savepointDepth = 0
    /// Set while ``stream(_:_:)`` hands rows to its caller: no other statement may run then.
    private var isStreamingRows = false
    /// Rows the statements of this transaction changed so far (rolled-back savepoints included), so a helper can
    /// tell whether its closure wrote anything.
    private(set) var rowsChanged = 0
    /// The statement failure that aborted the transaction, and the savepoint depth it happened at. Until a
    /// savepoint at or around that depth rolls back, nothing else runs and COMMIT is refused: PostgreSQL's rule,
    /// kept on every database so the drivers behave alike.
    private var failure: (error: DatabaseError, depth: Int)?
    var versionLedger = SavepointVersionLedger()
    /// Schemas bound to other tables by ``usingTable(_:for:_:)``, by model type.
    private var tableBindings: [ObjectIdentifier: any Sendable] = [:]
    /// Set when the task that runs this transaction is cancelled; nil for the blocking API.
    private let cancellation: CancellationFlag?
    /// The instrument watching the operation this transaction belongs to.
    private let observer: (any DatabaseOperationObserver)?
    /// Where this transaction logs: the configuration's logger, or the calling task's.
    let logger: Logger

    init(connection: any DatabaseConnection, isReadOnly: Bool, isAutocommit: Bool = false, context: DatabaseContext,
         scope: OperationScope, readLock: RowLockWait? = nil) {
        self.connection = connection
        self.readLock = isReadOnly || isAutocommit ? nil : readLock
        self.cancellation = scope.cancellation
        self.observer = scope.observer
        self.logger = scope.logger
        self.dialect = context.dialect
        self.isReadOnly = isReadOnly
        self.isAutocommit = isAutocommit
        self.context = context
    }

    /// The schema this transaction uses for `M`: the model's own, or the one ``usingTable(_:for:_:)`` bound.
    @usableFromInline
    func schema<M: Model>(for type: M.Type) -> Schema<M> {
        if tableBindings.isEmpty { return M.schema }
        return tableBindings[ObjectIdentifier(M.self)] as? Schema<M> ?? M.schema
    }

    /// Runs `body` with every operation on `M` — finds, queries, inserts, versioned writes, aggregates,
    /// `createTable` — going to `table` instead of the model's own table, which must have the same columns: one
    /// model for many tenants' tables, or for prefixed tables.
    ///
    /// ```swift
    /// try await db.write { tx in
    ///     try tx.usingTable("tenant_7_accounts", for: Account.self) { tx in
    ///         var account = Account(owner: "ada", balance: 10)
    ///         try tx.insert(&account)
    ///     }
    /// }
    /// ```
    ///
    /// The name is validated and quoted like any identifier. A value carries no table: save it inside the same
    /// binding it was read in. `db.modify` uses the model's own table.
    public func usingTable<M: Model, T>(_ table: String, for type: M.Type, _ body: (Transaction) throws -> T) throws -> T {
        let key = ObjectIdentifier(M.self)
        let previous = tableBindings[key]
        tableBindings[key] = M.schema.bound(toTable: table)
        defer { tableBindings[key] = previous }
        return try body(self)
    }

    /// Runs `body` on `connection` with no enclosing transaction: every statement commits by itself.
    static func performWithoutTransaction<T>(
        on connection: any DatabaseConnection,
        context: DatabaseContext,
        scope: OperationScope,
        _ body: (AutocommitSession) throws -> T
    ) throws -> T {
        let session = Transaction(connection: connection, isReadOnly: false, isAutocommit: true, context: context,
                                  scope: scope)
        defer { session.isActive = false }
        let result = try body(AutocommitSession(transaction: session))
        session.recordCommitToken()
        return result
    }

    /// Opens a transaction on `connection`, runs `body`, commits on return and rolls back on throw.
    ///
    /// A return from `body` is a commit only if the database commits: when a statement inside failed and its
    /// error was caught, or raw SQL ended the transaction, the caller gets a `.transactionAborted` error rather
    /// than a value for work that is not there. A lost connection during COMMIT is `.commitOutcomeUnknown`.
    static func perform<T>(
        on connection: any DatabaseConnection,
        options: TransactionOptions,
        context: DatabaseContext,
        scope: OperationScope,
        _ body: (Transaction) throws -> T
    ) throws -> T {
        let transaction = Transaction(connection: connection, isReadOnly: options.readOnly, context: context,
                                      scope: scope, readLock: options.lockingReads)
        defer { transaction.isActive = false }
        try connection.transactionWillBegin(options)
        defer { connection.transactionDidEnd() }
        do {
            try transaction.sendControl(context.dialect.beginTransactionSQL(options))
        } catch let error as DatabaseError where error.kind == .connectionLost {
            throw ConnectionLostBeforeWork(underlying: error)
        }
        let result: T
        do {
            result = try body(transaction)
            try transaction.prepareCommit()
        } catch {
            transaction.rollbackQuietly()
            throw error
        }
        try transaction.commit()
        if !options.readOnly { transaction.recordCommitToken() }
        return result
    }

    /// After a commit, where the database has replicas: the position a replica must reach to show it. The commit
    /// has happened whatever this finds, so a failure here is logged, not thrown; reads that ask for the token
    /// then wait for the previous one only.
    private func recordCommitToken() {
        do {
            if let token = try connection.commitToken() { context.recordCommit(token) }
        } catch {
            logger.debug("no commit token after COMMIT", metadata: ["error": "\(error)"])
        }
    }

    /// What must hold before COMMIT is sent: no swallowed failure, a transaction still open, burned versions
    /// moved past.
    private func prepareCommit() throws {
        try requireNotAborted()
        // The work of a cancelled task is rolled back, never committed.
        try requireNotCancelled()
        switch connection.transactionState {
        case .active: break
        case .failed: throw Self.abortedError(after: nil)
        case .none: throw Self.endedEarlyError
        }
        try settleBurnedVersions()
    }

    private func commit() throws {
        guard connection.isUsable else {
            // The connection died before COMMIT left: the database rolls the transaction back.
            throw DatabaseError(kind: .connectionLost, code: "08006", message: "connection lost before COMMIT")
        }
        do {
            try sendControl(dialect.commitSQL)
        } catch let error as DatabaseError where error.kind == .connectionLost {
            throw error.with(kind: .commitOutcomeUnknown, message:
                "the connection was lost during COMMIT: the transaction may or may not have been committed (\(error.message))")
        } catch {
            rollbackQuietly()
            throw error
        }
    }

    /// Runs `body` inside a savepoint: its work is released into the transaction on return and undone on throw,
    /// leaving the enclosing transaction usable. Savepoints nest.
    ///
    /// A statement that fails inside `body` can be caught there and the savepoint still rolls back: its work is
    /// incomplete, so returning normally then throws `.transactionAborted` instead of releasing it. Versions a
    /// rolled-back savepoint gave to Swift values are never valid again: such a value's next save is reported
    /// stale, while a copy the savepoint did not touch still saves.
    @discardableResult
    public func savepoint<T>(_ body: (Transaction) throws -> T) throws -> T {
        try requireActive()
        try requireNotAborted()
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let name = context.dialect.quote(identifier: "versioned_orm_sp\(savepointDepth)")
        try sendControl(dialect.savepointSQL(name))
        versionLedger.savepointBegan()
        let result: T
        do {
            result = try body(self)
        } catch {
            try rollBack(toSavepoint: name)
            throw error
        }
        if let failure, failure.depth >= savepointDepth {
            let error = failure.error
            try rollBack(toSavepoint: name)
            throw Self.abortedError(after: error)
        }
        try sendControl(dialect.releaseSavepointSQL(name))
        versionLedger.savepointReleased()
        return result
    }

    private func rollBack(toSavepoint name: String) throws {
        try sendControl(dialect.rollbackToSavepointSQL(name))
        try sendControl(dialect.releaseSavepointSQL(name))
        if let failure, failure.depth >= savepointDepth { self.failure = nil }
        let burned = versionLedger.savepointRolledBack()
        try relock(burned)
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

    /// `raw` for the caller's own SQL, the only kind that can end the transaction behind the library's back.
    @discardableResult
    func send(_ statement: RenderedSQL, raw: Bool = false) throws -> Int {
        try sending(statement, raw: raw, changesNothing: false) { try connection.execute($0) }
    }

    @usableFromInline
    @discardableResult
    func query(_ statement: RenderedSQL, raw: Bool = false, _ body: (inout Row) throws -> Void) throws -> Int {
        try sending(statement, raw: raw, changesNothing: false) { try connection.query($0, body) }
    }

    /// Whether a one-row insert of a generated key should first ask ``insertReadingRowID(_:table:keyColumn:)``.
    var mayReadInsertedRowIDs: Bool { connection.hasRowIDs }

    /// A one-row INSERT of a database-generated key, when the connection can read that key as the inserted rowid
    /// instead of through RETURNING: the rows it changed and the key. Nil, with nothing sent, when it cannot.
    func insertReadingRowID(_ statement: RenderedSQL, table: String, keyColumn: String) throws -> (changed: Int, key: Int64?)? {
        try requireActive()
        try requireNotStreaming()
        // Any doubt (a table that does not exist, say) means RETURNING, whose INSERT then reports the error.
        guard (try? connection.keyIsRowID(table: table, keyColumn: keyColumn, insert: statement.text)) == true else {
            return nil
        }
        var key: Int64?
        let changed = try sending(statement, raw: false, changesNothing: false) { statement in
            let changed = try connection.execute(statement)
            if changed == 1 { key = try connection.insertedRowIDKey(table: table, keyColumn: keyColumn, insert: statement.text) }
            return changed
        }
        return (changed, key)
    }

    /// A statement the library rendered that only reads (a find, a query-builder fetch, a version probe). Without
    /// a transaction, a connection lost during it lost nothing, so it stays a retryable `.connectionLost`
    /// instead of an unknown commit outcome.
    @usableFromInline
    @discardableResult
    func select(_ statement: RenderedSQL, _ body: (inout Row) throws -> Void) throws -> Int {
        try sending(statement, raw: false, changesNothing: true) { try connection.query($0, body) }
    }

    /// Like ``select(_:_:)``, holding about one row in memory at a time; `body` may not send statements.
    @usableFromInline
    @discardableResult
    func stream(_ statement: RenderedSQL, _ body: (inout Row) throws -> Void) throws -> Int {
        try sending(statement, raw: false, changesNothing: true) { statement in
            isStreamingRows = true
            defer { isStreamingRows = false }
            return try connection.stream(statement, body)
        }
    }

    /// Every statement of the closure goes through here: refused after a failure, values checked, traced, and a
    /// failure recorded so COMMIT cannot pretend it did not happen.
    private func sending(_ statement: RenderedSQL, raw: Bool, changesNothing: Bool,
                         _ run: (RenderedSQL) throws -> Int) throws -> Int {
        try requireActive()
        try requireNotStreaming()
        try requireNotAborted()
        try requireNotCancelled()
        let checked = try statement.checkedForStorage()
        willSend(checked)
        // Timed only for an instrument: a clock read per statement is not free on the hot path.
        let started = observer == nil ? nil : ContinuousClock.now
        var observed = false
        do {
            if let hook = context.configuration.testHooks?.beforeStatement { try hook(checked.text) }
            let changed = try run(checked)
            if let observer, let started { observer.statementFinished(checked.text, startedAt: started, error: nil) }
            observed = true
            if !changesNothing { rowsChanged += changed }
            if raw, !isAutocommit, connection.transactionState == .none {
                // Raw SQL ended the transaction (COMMIT, ROLLBACK): what follows would commit statement by
                // statement, outside the all-or-nothing the caller asked for.
                failure = (Self.endedEarlyError, -1)
                throw Self.endedEarlyError
            }
            return changed
        } catch let error as DatabaseError {
            if !observed, let observer, let started {
                observer.statementFinished(checked.text, startedAt: started, error: error)
            }
            let reported = error.with(statement: checked, revealValues: context.configuration.revealsValuesInErrors)
            if isAutocommit {
                // Each statement commits by itself, so a connection lost during one leaves its outcome unknown.
                if error.kind == .connectionLost, !changesNothing {
                    throw reported.with(kind: .commitOutcomeUnknown, message:
                        "the connection was lost during a statement that commits by itself: it may or may not have been committed (\(error.message))")
                }
            } else if failure == nil {
                failure = (reported, savepointDepth)
            }
            throw reported
        }
    }

    /// Transaction control: sent even when a failure is recorded (a rollback is how one recovers).
    private func sendControl(_ text: String) throws {
        try requireNotStreaming()
        let statement = RenderedSQL(text: text)
        willSend(statement)
        let started = observer == nil ? nil : ContinuousClock.now
        do {
            try connection.executeTransactionControl(text)
            if let observer, let started { observer.statementFinished(text, startedAt: started, error: nil) }
        } catch let error as DatabaseError {
            if let observer, let started { observer.statementFinished(text, startedAt: started, error: error) }
            throw error.with(statement: statement, revealValues: false)
        }
    }

    /// The connection is still reading a ``stream(_:_:)``'s rows: on PostgreSQL it cannot take another request.
    /// Refused on SQLite too, so that code written against one database behaves the same on the other.
    private func requireNotStreaming() throws {
        if isStreamingRows { throw UsageError.statementDuringRowStream }
    }

    private func requireNotAborted() throws {
        guard let failure else { return }
        // Depth -1: raw SQL ended the transaction, which no savepoint can undo; say so rather than "failed".
        throw failure.depth < 0 ? failure.error : Self.abortedError(after: failure.error)
    }

    private func requireNotCancelled() throws {
        if cancellation?.isCancelled == true {
            throw DatabaseError(kind: .cancelled, code: "CANCELLED", message: "the task running the transaction was cancelled")
        }
    }

    static func abortedError(after cause: DatabaseError?) -> DatabaseError {
        var message = "an earlier statement in this transaction failed"
        if let cause { message += " (\(cause.kind), code \(cause.code))" }
        message += "; nothing more runs and nothing commits until the savepoint around it (or the transaction) "
            + "rolls back. Wrap statements that may fail in tx.savepoint { }"
        return DatabaseError(kind: .transactionAborted, code: "25P02", message: message)
    }

    static let endedEarlyError = DatabaseError(
        kind: .transactionAborted, code: "TRANSACTION_ENDED",
        message: "a statement sent through execute (COMMIT or ROLLBACK) ended the transaction; its work may not "
            + "have been committed. End transactions by returning from or throwing out of the closure")

    private func willSend(_ statement: RenderedSQL) {
        context.configuration.trace?(statement.text)
        logger.trace("statement", metadata: ["db.query.text": .string(statement.text)])
    }

    private func rollbackQuietly() {
        guard connection.transactionState != .none else { return }
        do {
            try sendControl(dialect.rollbackSQL)
        } catch {
            // A lost connection ends everything; the original error is what the caller needs to see.
            logger.debug("rollback failed", metadata: ["error": "\(error)"])
        }
    }
}
