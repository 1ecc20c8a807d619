/// Watches the database's operations: the hook through which the `VersionedORMTracing` product makes spans,
/// and through which an application can feed any other instrument. Set it in
/// ``DatabaseConfiguration/instrumentation``.
///
/// ``operationStarted(_:)`` runs in the calling task, before the operation waits for a connection, so task-local
/// context (a trace's `ServiceContext`) is there to capture; the observer it returns then hears about the
/// operation's statements on the connection's thread and its end, in order, never concurrently.
public protocol DatabaseInstrumentation: Sendable {
    /// An operation — a transaction, or a run of autocommitted statements — is about to start.
    func operationStarted(_ operation: DatabaseOperation) -> any DatabaseOperationObserver
}

/// What one operation reports while it runs; see ``DatabaseInstrumentation``.
public protocol DatabaseOperationObserver: Sendable {
    /// A connection was free for it after `waited` (zero when one was idle).
    func connectionAcquired(after waited: Duration)
    /// A statement finished: its text with placeholders (never a bound value), when it was sent, and the
    /// error it failed with, if any. Transaction control (BEGIN, COMMIT, SAVEPOINT) is reported too.
    func statementFinished(_ text: String, startedAt: ContinuousClock.Instant, error: (any Error)?)
    /// The operation ended: committed when `error` is nil.
    func operationFinished(error: (any Error)?)
}

/// An operation as instruments describe it, in OpenTelemetry's database terms.
public struct DatabaseOperation: Sendable {
    /// `write`, `read` or `autocommit` (statements outside a transaction, as `modify` sends them).
    public let name: String
    /// `db.system.name`: `sqlite` or `postgresql`.
    public let system: String
    /// `db.namespace`: the database's name (PostgreSQL) or file name (SQLite), when known.
    public let namespace: String?
    /// `server.address`: the PostgreSQL host or socket directory, when known.
    public let serverAddress: String?
    /// The attempt of a retry policy this operation is (1 for the first, and outside any policy).
    public let attempt: Int

    /// An operation description, for instruments' own tests and for wrappers that forward to another.
    public init(name: String, system: String, namespace: String?, serverAddress: String?, attempt: Int) {
        self.name = name
        self.system = system
        self.namespace = namespace
        self.serverAddress = serverAddress
        self.attempt = attempt
    }
}
