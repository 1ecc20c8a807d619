/// One open connection, implemented by a driver.
///
/// A connection is confined: the core calls it from exactly one serial queue (its lane), never concurrently and
/// never from Swift's cooperative thread pool, so implementations may block and need no locks. The one exception
/// is ``interrupter``, whose object is made to be called from any thread.
package protocol DatabaseConnection: AnyObject {
    /// Runs a statement and returns how many rows it changed (for statements that change none: 0).
    func execute(_ statement: RenderedSQL) throws -> Int
    /// Runs a statement and hands each result row to `body`; returns how many rows it changed.
    @discardableResult
    func query(_ statement: RenderedSQL, _ body: (inout Row) throws -> Void) throws -> Int
    /// Like ``query(_:_:)``, but never holds more than a row or so of the result in memory, however many rows
    /// there are. `body` runs no other statement on this connection meanwhile. By default ``query(_:_:)``, for a
    /// driver that already steps through its result (SQLite).
    @discardableResult
    func stream(_ statement: RenderedSQL, _ body: (inout Row) throws -> Void) throws -> Int
    /// Sends transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE): fixed text without parameters.
    /// A driver sends it in a way that depends on nothing cached on the server, so that ending a transaction
    /// works whatever server connection a pooler chose for it.
    func executeTransactionControl(_ sql: String) throws
    /// False once the connection is known to be unusable (the server went away); the pool then replaces it.
    var isUsable: Bool { get }
    /// Whether the connection is inside a transaction, as the database itself reports it. The core checks it
    /// before COMMIT, so a transaction that the database already ended or aborted is never reported committed.
    var transactionState: ConnectionTransactionState { get }
    /// Stops the statement running on this connection, from another thread; nil when the driver cannot.
    var interrupter: (any ConnectionInterrupter)? { get }
    /// Called before BEGIN: a driver may refuse writes in `read`, or stop waiting for locks.
    func transactionWillBegin(_ options: TransactionOptions) throws
    /// Called after COMMIT or ROLLBACK, whatever their outcome.
    func transactionDidEnd()
    /// Right after a COMMIT succeeded: the position replicas must reach to show it, or nil when the database has
    /// no replicas to wait for.
    func commitToken() throws -> CommitToken?
    /// On a reader connection, before BEGIN: waits until the connection shows everything up to `token`; false
    /// when it has not within `timeout`.
    func waitUntilVisible(_ token: CommitToken, timeout: Duration) throws -> Bool
    /// Whether `keyColumn` is `table`'s rowid, so that `insert` (a one-row INSERT without RETURNING, about to be
    /// executed) generates the key as the connection's last inserted rowid: ``insertedRowIDKey(table:keyColumn:insert:)``
    /// reads it then, more cheaply than RETURNING (SQLite fills a temporary table for RETURNING, a third of a
    /// one-row insert's time). False by default: the caller inserts with RETURNING.
    func keyIsRowID(table: String, keyColumn: String, insert: String) throws -> Bool
    /// Whether this driver has rowids at all; false spares a one-row insert the statement it would ask about.
    var hasRowIDs: Bool { get }
    /// Right after `insert` changed one row: the key it generated. Asked only when
    /// ``keyIsRowID(table:keyColumn:insert:)`` said yes; a driver re-checks that answer if the schema changed in
    /// between.
    func insertedRowIDKey(table: String, keyColumn: String, insert: String) throws -> Int64?
}

/// A connection's transaction state as its database reports it.
package enum ConnectionTransactionState: Sendable, Equatable {
    /// No transaction is open: every statement commits by itself.
    case none
    /// A transaction is open and usable.
    case active
    /// A transaction is open, but a failed statement aborted it: only a rollback is accepted.
    case failed
}

/// Interrupts the statement a connection is running, when the task waiting for it is cancelled.
///
/// Called from any thread, at any time, also while the connection is idle or being closed; the implementation
/// makes that safe (sqlite3_interrupt, PQcancel).
package protocol ConnectionInterrupter: AnyObject, Sendable {
    func interrupt()
}

/// What a transaction does when every connection it could use is busy.
package enum ConnectionWait: Sendable {
    /// Wait for one, up to the connection timeout.
    case wait
    /// Fail at once with this error.
    case failIfBusy(DatabaseError)
}

/// Which connections a driver wants the pool to hold.
package enum PoolTopology: Sendable, Equatable {
    /// One connection for everything (an in-memory SQLite database).
    case single
    /// One writer; `readers` read-only connections for `read` transactions (SQLite in WAL mode).
    case writerAndReaders(readers: Int)
    /// `size` interchangeable connections, each used for reads and writes (PostgreSQL).
    case shared(size: Int)
    /// `primary` connections for writes and `replicas` reader connections to read replicas, which may lag
    /// (PostgreSQL with streaming replicas).
    case primaryAndReplicas(primary: Int, replicas: Int)
}

/// What a pool connection is for, so a driver can open readers read-only.
package enum ConnectionRole: Sendable, Equatable {
    case writer
    case reader
}

/// A database driver: how to open connections and how its SQL is spelled.
package protocol DatabaseDriver: Sendable {
    var dialect: any SQLDialect { get }
    var topology: PoolTopology { get }
    /// What a write transaction locks: a property of the database, not of how its SQL is spelled.
    var writeLockScope: WriteLockScope { get }
    /// Whether a transaction with `options` may wait for a busy connection of the pool. A database whose single
    /// writer connection *is* its write lock within the process (SQLite) answers NOWAIT with "fail if busy", and
    /// the error it would raise for another process holding the lock.
    func connectionWait(for options: TransactionOptions) -> ConnectionWait
    /// Opens a connection; called on the lane that will own it, so it may block.
    func openConnection(role: ConnectionRole) throws -> any DatabaseConnection
    /// How instruments name this database: OpenTelemetry's `db.system.name`, `db.namespace` and
    /// `server.address`. Read once, when the `Database` is made; must not block.
    var instrumentationIdentity: InstrumentationIdentity { get }
}

/// See ``DatabaseDriver/instrumentationIdentity``.
package struct InstrumentationIdentity: Sendable {
    package let system: String
    package let namespace: String?
    package let serverAddress: String?

    package init(system: String, namespace: String?, serverAddress: String?) {
        self.system = system
        self.namespace = namespace
        self.serverAddress = serverAddress
    }
}

extension DatabaseConnection {
    /// Called before BEGIN: a driver may refuse writes in `read`, or stop waiting for locks.
    package func transactionWillBegin(_ options: TransactionOptions) throws {}
    /// Called after COMMIT or ROLLBACK, whatever their outcome.
    package func transactionDidEnd() {}
    /// No interruption by default.
    package var interrupter: (any ConnectionInterrupter)? { nil }
    /// No replicas by default: nothing to wait for.
    package func commitToken() throws -> CommitToken? { nil }
    /// Everything committed is visible by default.
    package func waitUntilVisible(_ token: CommitToken, timeout: Duration) throws -> Bool { true }
    @discardableResult
    package func stream(_ statement: RenderedSQL, _ body: (inout Row) throws -> Void) throws -> Int {
        try query(statement, body)
    }
    /// No rowids by default: inserts read their keys with RETURNING.
    package func keyIsRowID(table: String, keyColumn: String, insert: String) throws -> Bool { false }
    package var hasRowIDs: Bool { false }
    package func insertedRowIDKey(table: String, keyColumn: String, insert: String) throws -> Int64? { nil }
    /// Through ``execute(_:)`` by default.
    package func executeTransactionControl(_ sql: String) throws {
        _ = try execute(RenderedSQL(text: sql))
    }
}
