import Dispatch
import Logging

/// A database: a pool of connections and the entry points for transactions.
///
/// `Database` is `Sendable`; share one instance across the application. Work happens in transactions:
///
/// ```swift
/// let account = try await db.write { tx in
///     var account = Account(owner: "ada", balance: 100)
///     try tx.insert(&account)
///     return account
/// }
/// ```
///
/// The closure is synchronous and runs on the connection's own thread: one hop per transaction, with blocking
/// database calls kept off Swift's cooperative pool. Keep slow work (network calls) out of it.
public final class Database: Sendable {
    /// The driver's SQL dialect, which renders every statement this database sends.
    public let dialect: any SQLDialect
    private let context: DatabaseContext
    var configuration: DatabaseConfiguration { context.configuration }
    /// Whether the database locks rows or itself when a transaction writes.
    var writeLockScope: WriteLockScope { context.writeLockScope }
    private let writers: ConnectionPool
    private let readers: ConnectionPool
    private let driver: any DatabaseDriver
    /// Whether ``read(options:_:)`` may see a replica behind the primary: what is read to be written back is
    /// then read with `.primary`.
    let readersMayLag: Bool
    /// What ``LockStrategy/adaptive(_:)`` remembers of recent conflicts, per bucket of rows.
    let conflictTemperatures = ConflictTemperatures()
    /// What locking and not locking a hot row have cost lately, for ``LockStrategy/adaptive(_:)``.
    let hotRowCosts = HotRowCosts()
    /// How instruments name this database.
    private let identity: InstrumentationIdentity
    private let metrics: OperationMetrics

    /// Builds the pool the driver asks for. Connections open on first use, on their own lanes.
    package init(driver: any DatabaseDriver, configuration: DatabaseConfiguration = DatabaseConfiguration()) {
        dialect = driver.dialect
        self.driver = driver
        identity = driver.instrumentationIdentity
        metrics = OperationMetrics(system: identity.system)
        context = DatabaseContext(dialect: driver.dialect, writeLockScope: driver.writeLockScope,
                                  configuration: configuration)
        let owner = ObjectIdentifier(context)
        func lanes(_ count: Int, role: ConnectionRole, name: String) -> [ConnectionLane] {
            (0..<max(1, count)).map {
                ConnectionLane(label: "versioned-orm.\(driver.dialect.name).\(name)\($0)", role: role,
                               driver: driver, owner: owner)
            }
        }
        if case .primaryAndReplicas = driver.topology { readersMayLag = true } else { readersMayLag = false }
        switch driver.topology {
        case .single:
            writers = ConnectionPool(lanes: lanes(1, role: .writer, name: "connection"))
            readers = writers
        case .writerAndReaders(let readerCount):
            writers = ConnectionPool(lanes: lanes(1, role: .writer, name: "writer"))
            readers = ConnectionPool(lanes: lanes(readerCount, role: .reader, name: "reader"))
        case .shared(let size):
            writers = ConnectionPool(lanes: lanes(size, role: .writer, name: "connection"))
            readers = writers
        case .primaryAndReplicas(let primary, let replicas):
            writers = ConnectionPool(lanes: lanes(primary, role: .writer, name: "primary"))
            readers = ConnectionPool(lanes: lanes(replicas, role: .reader, name: "replica"))
        }
    }

    /// The commit token of the latest write this `Database` committed, for ``read(options:consistency:_:)`` with
    /// `.atLeast`; nil before the first write, and always nil without replicas (there is nothing to wait for).
    public var latestCommitToken: CommitToken? { context.latestCommitToken }

    /// Runs `body` in a read-write transaction: commit when it returns, rollback when it throws.
    @discardableResult
    public func write<T: Sendable>(
        options: TransactionOptions = .readWrite,
        _ body: @escaping @Sendable (Transaction) throws -> T
    ) async throws -> T {
        try await run(on: writers, options: options.withReadOnly(false), body)
    }

    /// Runs `body` in a read-write transaction, and the whole transaction again — a new BEGIN, the closure from
    /// the start — when it fails with an error `policy` retries: a stale version, a serialization failure or
    /// deadlock (40001, 40P01; CockroachDB and YugabyteDB raise 40001 on any transaction), a busy database, a
    /// connection lost before COMMIT, a write that reached a read-only server mid-failover. An unknown commit
    /// outcome is retried only when the policy is `idempotent`.
    ///
    /// ```swift
    /// let moved = try await db.write(retry: RetryPolicy()) { tx in
    ///     var from = try tx.find(Account.self, id: 1)!, to = try tx.find(Account.self, id: 2)!
    ///     try tx.update(&from) { $0.balance -= 10 }
    ///     try tx.update(&to) { $0.balance += 10 }
    /// }
    /// print(moved.attempts)
    /// ```
    ///
    /// The closure may run once per attempt: keep side effects out of it.
    @discardableResult
    public func write<T: Sendable>(
        options: TransactionOptions = .readWrite,
        retry policy: RetryPolicy,
        _ body: @escaping @Sendable (Transaction) throws -> T
    ) async throws -> Retried<T> {
        try await retrying(model: "transaction", policy) { _ in try await self.write(options: options, body) }
    }

    /// Runs `operation` (given the attempt number, from 1) under `policy`, as ``RetryPolicy/run(_:onRetry:)``
    /// does, and counts and logs every retry (`versioned_orm.retries` with model `operation`): for a unit of work
    /// that spans several transactions or a read outside the write.
    public func retrying<T: Sendable>(_ policy: RetryPolicy,
                                      _ operation: (Int) async throws -> T) async throws -> Retried<T> {
        try await retrying(model: "operation", policy, operation)
    }

    /// Runs `body` in a read-only transaction that sees one consistent snapshot. Writes inside throw.
    @discardableResult
    public func read<T: Sendable>(
        options: TransactionOptions = .readOnly,
        _ body: @escaping @Sendable (Transaction) throws -> T
    ) async throws -> T {
        try await run(on: readers, options: options.withReadOnly(true), body)
    }

    /// Runs `body` in a read-only transaction on a reader connection as fresh as `consistency` asks.
    ///
    /// Without replicas every reader sees every commit, and `consistency` changes nothing. With replicas
    /// (`PostgresConfiguration(replicaConnectionString:)`), `read` alone may see a replica that lags behind;
    /// read your own writes with `.atLeast(db.latestCommitToken, timeout:)` (or a token a client sent back), or
    /// ask for `.primary`. A version read on a lagging replica is an old version: a versioned write based on it
    /// fails as stale, never silently, but read what you mean to write back with `.primary` or in the `write`.
    @discardableResult
    public func read<T: Sendable>(
        options: TransactionOptions = .readOnly,
        consistency: ReadConsistency,
        _ body: @escaping @Sendable (Transaction) throws -> T
    ) async throws -> T {
        let options = options.withReadOnly(true)
        switch consistency {
        case .any:
            return try await run(on: readers, options: options, body)
        case .primary:
            return try await run(on: writers, options: options, body)
        case .atLeast(let token, let timeout):
            if readers === writers { return try await run(on: writers, options: options, body) }
            let context = self.context
            let attempt = try await onLane(readers, options: options) { connection, scope -> ReplicaAttempt<T> in
                // Before BEGIN: a snapshot taken now would stay as stale as the replica is.
                guard try connection.waitUntilVisible(token, timeout: timeout) else { return .notCaughtUp }
                return .done(try Transaction.perform(on: connection, options: options, context: context,
                                                     scope: scope, body))
            }
            switch attempt {
            case .done(let value):
                return value
            case .notCaughtUp:
                ContentionMetrics.recordReplicaFallback()
                logger.debug("replica behind the commit token; reading on the primary", metadata: [
                    "db.commit_token": "\(token)",
                ])
                return try await run(on: writers, options: options, body)
            }
        }
    }

    /// Runs `body` on the writer connection with no enclosing transaction: each statement commits on its own,
    /// and a throw undoes nothing already sent.
    ///
    /// Versioned writes stay safe here, because the version check is part of each UPDATE; what is lost is
    /// all-or-nothing across statements. Fits single-statement work where BEGIN and COMMIT would only add round
    /// trips: a versioned save after a read. The ``AutocommitSession`` has no savepoints and takes no locking
    /// query: both need a transaction, so they do not compile here.
    @discardableResult
    public func writeWithoutTransaction<T: Sendable>(_ body: @escaping @Sendable (AutocommitSession) throws -> T) async throws -> T {
        let context = self.context
        return try await onLane(writers, options: nil) { connection, scope in
            try Transaction.performWithoutTransaction(on: connection, context: context, scope: scope, body)
        }
    }

    /// The blocking form of ``writeWithoutTransaction(_:)``.
    @available(*, noasync, message: "use the async writeWithoutTransaction in async code")
    @discardableResult
    public func writeWithoutTransactionSync<T>(_ body: (AutocommitSession) throws -> T) throws -> T {
        try onLaneBlocking(writers, options: nil) { connection, scope in
            try Transaction.performWithoutTransaction(on: connection, context: context, scope: scope, body)
        }
    }

    /// The blocking form of ``write(options:_:)`` for code outside Swift concurrency. Not available in async code,
    /// where it would block a cooperative thread.
    @available(*, noasync, message: "use the async write in async code")
    @discardableResult
    public func writeSync<T>(options: TransactionOptions = .readWrite, _ body: (Transaction) throws -> T) throws -> T {
        try runBlocking(on: writers, options: options.withReadOnly(false), body)
    }

    /// The blocking form of ``read(options:_:)`` for code outside Swift concurrency.
    @available(*, noasync, message: "use the async read in async code")
    @discardableResult
    public func readSync<T>(options: TransactionOptions = .readOnly, _ body: (Transaction) throws -> T) throws -> T {
        try runBlocking(on: readers, options: options.withReadOnly(true), body)
    }

    /// Waits for transactions in progress, then closes every connection. Later calls throw
    /// ``UsageError/databaseClosed``.
    public func close() async {
        writers.close()
        readers.close()
        for lane in writers.lanes + (readers === writers ? [] : readers.lanes) {
            await lane.close()
        }
    }

    /// Waits for a free connection with a timeout pending: the waiters queued right now. Back at zero once
    /// every waiter has been served, however many waits there were.
    var pendingConnectionTimeouts: Int {
        writers.pendingTimeouts + (readers === writers ? 0 : readers.pendingTimeouts)
    }

    /// Opens the writer connection now rather than on first use, so configuration errors surface at start-up.
    /// Sends nothing, so it works on a server that only accepts reads, too.
    public func connect() async throws {
        try await writeWithoutTransaction { _ in }
    }

    private func run<T: Sendable>(
        on pool: ConnectionPool,
        options: TransactionOptions,
        _ body: @escaping @Sendable (Transaction) throws -> T
    ) async throws -> T {
        let context = self.context
        return try await onLane(pool, options: options) { connection, scope in
            try Transaction.perform(on: connection, options: options, context: context, scope: scope, body)
        }
    }

    private func runBlocking<T>(
        on pool: ConnectionPool,
        options: TransactionOptions,
        _ body: (Transaction) throws -> T
    ) throws -> T {
        try onLaneBlocking(pool, options: options) { connection, scope in
            try Transaction.perform(on: connection, options: options, context: context, scope: scope, body)
        }
    }

    /// The one way onto a connection for every async entry point: refuse nesting and tasks already cancelled, run
    /// `work` on a lane of `pool` (without waiting where NOWAIT on SQLite says so). `options` is nil for work
    /// without a transaction.
    private func onLane<T: Sendable>(
        _ pool: ConnectionPool,
        options: TransactionOptions?,
        _ work: @escaping @Sendable (any DatabaseConnection, OperationScope) throws -> T
    ) async throws -> T {
        try rejectNesting()
        // A task cancelled before its transaction starts runs none of it.
        try Task.checkCancellation()
        let busy = busyError(for: options)
        let timeout = context.configuration.connectionTimeout
        let watch = self.watch(options)
        do {
            let value = try await Self.reportingCancellation {
                try await pool.perform(timeout: timeout, failIfBusy: busy) { connection, cancellation in
                    try work(connection, watch.acquired(cancellation: cancellation))
                }
            }
            watch.finished(error: nil)
            return value
        } catch {
            watch.finished(error: error)
            throw error
        }
    }

    /// The blocking twin of ``onLane(_:options:_:)``.
    private func onLaneBlocking<T>(
        _ pool: ConnectionPool,
        options: TransactionOptions?,
        _ work: (any DatabaseConnection, OperationScope) throws -> T
    ) throws -> T {
        try rejectNesting()
        let watch = self.watch(options)
        do {
            let lane = try acquireBlocking(from: pool, options: options)
            defer { pool.release(lane) }
            let scope = watch.acquired(cancellation: nil)
            let value = try lane.performBlocking { connection in try work(connection, scope) }
            watch.finished(error: nil)
            return value
        } catch {
            watch.finished(error: error)
            throw error
        }
    }

    /// The name an operation goes by in metrics and spans.
    private static func operationName(_ options: TransactionOptions?) -> String {
        guard let options else { return "autocommit" }
        return options.readOnly ? "read" : "write"
    }

    /// Starts watching an operation, from the calling task (whose task-locals the instrument reads).
    private func watch(_ options: TransactionOptions?) -> OperationWatch {
        let name = Self.operationName(options)
        let observer = context.configuration.instrumentation?.operationStarted(DatabaseOperation(
            name: name, system: identity.system, namespace: identity.namespace,
            serverAddress: identity.serverAddress, attempt: RetryAttempt.current))
        return OperationWatch(name: name, observer: observer, logger: logger, metrics: metrics)
    }

    /// Where this database logs for the calling task: its task-local logger when the configuration asks for it.
    var logger: Logger {
        context.configuration.usesTaskLocalLogger ? Logger.current : context.configuration.logger
    }

    /// A statement interrupted because the task was cancelled surfaces as `CancellationError`, as Swift code
    /// expects; the transaction was rolled back.
    private static func reportingCancellation<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as DatabaseError where error.kind == .cancelled && Task.isCancelled {
            throw CancellationError()
        }
    }

    private func acquireBlocking(from pool: ConnectionPool, options: TransactionOptions?) throws -> ConnectionLane {
        if let busy = busyError(for: options) {
            guard let lane = try pool.acquireIfIdle() else { throw busy }
            return lane
        }
        return try pool.acquireBlocking(timeout: context.configuration.connectionTimeout)
    }

    /// The driver decides whether these options may wait for a busy connection (see
    /// ``DatabaseDriver/connectionWait(for:)``): nil when the caller waits as usual, else the error a caller gets
    /// at once when no connection is idle.
    private func busyError(for options: TransactionOptions?) -> (any Error)? {
        guard let options, case .failIfBusy(let error) = driver.connectionWait(for: options) else { return nil }
        return error
    }

    private func rejectNesting() throws {
        if DispatchQueue.getSpecific(key: laneOwnerKey) == ObjectIdentifier(context) {
            throw UsageError.nestedTransaction
        }
    }
}

/// What a read on a replica came to: its value, or a replica that had not caught up in time.
private enum ReplicaAttempt<T: Sendable>: Sendable {
    case done(T)
    case notCaughtUp
}

extension TransactionOptions {
    fileprivate func withReadOnly(_ readOnly: Bool) -> TransactionOptions {
        var options = self
        options.readOnly = readOnly
        return options
    }
}

