extension Database {
    /// Runs a whole unit of work — any reads and writes of any rows — in one write transaction protected as
    /// `strategy` says, and runs it again from BEGIN when it loses a race:
    ///
    /// ```swift
    /// func reserve(_ sku: String, using strategy: LockStrategy) async throws {
    ///     try await db.write(using: strategy) { tx in
    ///         guard var product = try Product.where { $0.sku == sku }.fetchOne(tx) else { throw OutOfStock() }
    ///         guard product.stock > 0 else { throw OutOfStock() }
    ///         try tx.update(&product) { $0.stock -= 1 }
    ///         var reservation = Reservation(productID: product.id, quantity: 1)
    ///         try tx.insert(&reservation)
    ///     }
    /// }
    /// ```
    ///
    /// - `.optimistic(retry:)` and `.merge(retry:)`: reads take no lock; every versioned write is checked, and on a
    ///   stale version or a transient conflict the whole closure runs again on fresh data under the policy. (A
    ///   column-wise merge needs one row's before and after, so for a unit of work `.merge` re-runs like
    ///   `.optimistic`; ``modify(_:id:using:_:)`` merges.)
    /// - `.pessimistic(wait)`: every `find` and query-builder fetch inside locks what it reads
    ///   (``TransactionOptions/lockingReads``: `FOR UPDATE`, `NOWAIT` or `SKIP LOCKED` on PostgreSQL; on SQLite
    ///   the transaction begins `IMMEDIATE`, which holds the database's write lock). Deadlocks between units that
    ///   lock rows in different orders (40P01) are run again under the default ``RetryPolicy``; lock rows in key
    ///   order to avoid them.
    /// - `.adaptive`: the first attempt optimistic, except that on PostgreSQL each `find` by key locks a row that
    ///   is hot (from the conflicts `modify` and other adaptive units saw on it; a stale write here heats its row);
    ///   every later attempt pessimistic.
    /// - `.naive`: one attempt, no locks: the baseline a strategy is compared with. The closure's versioned writes
    ///   are still checked.
    ///
    /// The closure may run once per attempt: keep side effects out of it. A conflict the policy gives up on is
    /// thrown as itself (``StaleRecordError`` or ``DatabaseError``) with its attempt count.
    @discardableResult
    public func write<T: Sendable>(
        using strategy: LockStrategy,
        _ body: @escaping @Sendable (Transaction) throws -> T
    ) async throws -> Retried<T> {
        switch strategy {
        case .naive:
            return Retried(value: try await write(body), attempts: 1)
        case .optimistic(let policy), .merge(let policy):
            return try await write(retry: policy, body)
        case .pessimistic(let wait):
            let options = TransactionOptions(waitForWriteLock: wait != .noWait, lockingReads: wait)
            return try await write(options: options, retry: RetryPolicy(), body)
        case .adaptive(let knobs):
            // The first attempt decides per row where rows can be locked: each find by key locks a row that is hot
            // (the temperatures `modify` keeps) and reads a cold one freely; a stale write heats its row. Once it
            // lost a race, the remaining attempts lock everything they read: the rows that made it lose are not
            // always known (a serialization failure names none).
            let locking = TransactionOptions(waitForWriteLock: knobs.wait != .noWait, lockingReads: knobs.wait)
            let reads = writeLockScope == .rows
                ? AdaptiveReadLocks(temperatures: conflictTemperatures, knobs: knobs, logger: logger) : nil
            return try await retrying(model: "transaction", knobs.retry) { attempt in
                ContentionMetrics.recordAdaptiveAttempt(model: "transaction", pessimistic: attempt > 1)
                do {
                    guard attempt == 1, let reads else { return try await self.write(options: attempt > 1 ? locking : .readWrite, body) }
                    return try await self.write(options: .readWrite) { tx in
                        tx.adaptiveReads = reads
                        return try body(tx)
                    }
                } catch let stale as StaleRecordError {
                    reads?.stale(stale)
                    throw stale
                }
            }
        }
    }
}
