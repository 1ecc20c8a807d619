import Synchronization

extension Database {
    /// Reads the row with primary key `id`, applies `change` to it and writes the columns it changed, protected
    /// as `strategy` says:
    ///
    /// ```swift
    /// let saved = try await db.modify(Account.self, id: 7, using: .optimistic(retry: RetryPolicy())) {
    ///     $0.balance -= 10
    /// }
    /// print(saved.value.balance, saved.attempts)
    /// ```
    ///
    /// `change` may run more than once (once per attempt, on fresh data), so it must not have side effects. It
    /// throws to abandon the modification (an insufficient balance, say); nothing is written then.
    ///
    /// One attempt visits one connection once. `.optimistic`, `.merge` and `.naive` read and write back on the
    /// writer connection with no transaction around the two statements: the version check in the UPDATE is what
    /// keeps the write safe, so BEGIN and COMMIT would only add round trips, and reading where the write happens
    /// keeps the window between the read and the write as short as `change` itself (on SQLite the write waits for
    /// the single writer anyway). `change` runs on the connection's thread, between the two statements, with no
    /// lock held: keep it quick. `.pessimistic` is one transaction that locks the row first; a deadlock or a
    /// serialization failure (SERIALIZABLE or REPEATABLE READ on PostgreSQL) runs it again under the default
    /// ``RetryPolicy``, and ``Modification/attempts`` counts the attempts.
    public func modify<M: Model>(
        _ type: M.Type = M.self,
        id: M.Key,
        using strategy: LockStrategy,
        _ change: @escaping @Sendable (inout M) throws -> Void
    ) async throws -> Modification<M> {
        switch strategy {
        case .naive:
            return Modification(value: try await modifyNaively(M.self, id: id, change), attempts: 1)
        case .optimistic(let policy):
            let result = try await retrying(M.self, policy) { _ in try await self.modifyOptimistically(M.self, id: id, change) }
            return Modification(value: result.value, attempts: result.attempts)
        case .pessimistic(let wait):
            // A lock held is never stale, but the database may still refuse the transaction: a deadlock (40P01), or
            // under REPEATABLE READ or SERIALIZABLE a locked row that changed after the snapshot (40001). Those run
            // again under the default policy, as `write(using: .pessimistic)` does.
            let result = try await retrying(M.self, RetryPolicy()) { _ in
                try await self.modifyPessimistically(M.self, id: id, wait: wait, change).0
            }
            return Modification(value: result.value, attempts: result.attempts)
        case .merge(let policy):
            return try await modifyMerging(M.self, id: id, policy: policy, change)
        case .adaptive(let knobs):
            return try await modifyAdaptively(M.self, id: id, knobs, change)
        }
    }

    /// ``modify(_:id:using:_:)`` of the one row a unique filter names (`where: { $0.sku == sku }`): the filter is
    /// resolved to the row's key first, and the modification then follows that row. No match throws
    /// ``ModificationError/noMatch(model:)``, more than one ``ModificationError/notUnique(model:)``.
    public func modify<M: Model>(
        _ type: M.Type = M.self,
        where condition: (TableColumns<M>) -> SQLExpression<Bool>,
        using strategy: LockStrategy,
        _ change: @escaping @Sendable (inout M) throws -> Void
    ) async throws -> Modification<M> {
        let query = Query<M>().where(condition).limit(2)
        let matches = try await read { tx in try query.fetchAll(tx) }
        let model = M.schema.modelName
        guard matches.count < 2 else { throw ModificationError.notUnique(model: model) }
        guard let row = matches.first, let key = M.schema.key(of: row) else { throw ModificationError.noMatch(model: model) }
        return try await modify(M.self, id: key, using: strategy, change)
    }

    private static func current<M: Model>(_ type: M.Type, id: M.Key, in session: AutocommitSession) throws -> M {
        guard let value = try session.find(M.self, id: id) else {
            throw ModificationError.notFound(model: M.schema.modelName, id: AnyPrimaryKey(id))
        }
        return value
    }

    private func modifyNaively<M: Model>(_ type: M.Type, id: M.Key,
                                         _ change: @escaping @Sendable (inout M) throws -> Void) async throws -> M {
        try await writeWithoutTransaction { session in
            let current = try Self.current(M.self, id: id, in: session)
            var changed = current
            try change(&changed)
            let indices = M.schema.changedColumnIndices(from: current, to: changed)
            if indices.isEmpty { return current }
            guard try session.transaction.unversionedUpdate(changed, id: AnyPrimaryKey(id), columnIndices: indices) == 1 else {
                throw ModificationError.notFound(model: M.schema.modelName, id: AnyPrimaryKey(id))
            }
            var written = changed
            written[keyPath: M.schema.version] = current[keyPath: M.schema.version] + 1
            return written
        }
    }

    /// One optimistic attempt: read and versioned update on the writer, with no transaction around them.
    private func modifyOptimistically<M: Model>(_ type: M.Type, id: M.Key,
                                                _ change: @escaping @Sendable (inout M) throws -> Void) async throws -> M {
        try await writeWithoutTransaction { session in
            var value = try Self.current(M.self, id: id, in: session)
            try session.update(&value, change)
            return value
        }
    }

    /// Each attempt optimistic while the row is cold; while it is hot, locked or not by what each way has cost
    /// lately on hot rows (``HotRowCosts``). An attempt's contention raises the row's temperature.
    private func modifyAdaptively<M: Model>(_ type: M.Type, id: M.Key, _ knobs: AdaptiveLocking,
                                            _ change: @escaping @Sendable (inout M) throws -> Void) async throws -> Modification<M> {
        let model = M.schema.modelName
        let (temperatures, costs) = (conflictTemperatures, hotRowCosts)
        let bucket = temperatures.bucket(table: M.schema.table, key: AnyPrimaryKey(id))
        let logger = self.logger
        // Where the previous attempt ended: the policy's wait before the next one is part of that one's cost.
        var previousEnd = ContinuousClock.now
        let result = try await retrying(M.self, knobs.retry) { attempt in
            let temperature = temperatures.temperature(of: bucket, halfLife: knobs.halfLife)
            let hot = temperature >= knobs.hotAt
            let locking = hot && costs.locksHotRow()
            ContentionMetrics.recordAdaptiveAttempt(model: model, pessimistic: locking)
            logger.debug("adaptive attempt", metadata: [
                "db.model": "\(model)", "db.attempt": "\(attempt)", "db.mode": "\(locking ? "pessimistic" : "optimistic")",
                "db.temperature": "\(temperature)",
            ])
            var committed = false
            defer {
                let end = ContinuousClock.now
                if hot { costs.record(locked: locking, duration: previousEnd.duration(to: end), committed: committed, now: end) }
                previousEnd = end
            }
            do {
                if locking {
                    let (value, lockWait) = try await self.modifyPessimistically(M.self, id: id, wait: knobs.wait, change)
                    if lockWait > knobs.contendedLockWait { temperatures.heat(bucket, halfLife: knobs.halfLife) }
                    committed = true
                    return value
                }
                let value = try await self.modifyOptimistically(M.self, id: id, change)
                committed = true
                return value
            } catch where ConflictTemperatures.isContention(error) {
                temperatures.heat(bucket, halfLife: knobs.halfLife)
                throw error
            }
        }
        return Modification(value: result.value, attempts: result.attempts)
    }

    /// The modified row, and how long it took from the request to holding the row's lock (the writer's queue
    /// and the database's lock wait).
    private func modifyPessimistically<M: Model>(_ type: M.Type, id: M.Key, wait: RowLockWait,
                                                 _ change: @escaping @Sendable (inout M) throws -> Void) async throws -> (M, Duration) {
        let model = M.schema.modelName
        let requested = ContinuousClock.now
        do {
            return try await write(options: TransactionOptions(waitForWriteLock: wait != .noWait)) { tx in
                let locked = try tx.find(M.self, id: id, lockingAs: wait)
                let lockWait = requested.duration(to: .now)
                ContentionMetrics.recordLockWait(model: model, duration: lockWait)
                guard var value = locked else {
                    if wait == .skipLocked, try tx.find(M.self, id: id) != nil {
                        ContentionMetrics.recordLockTimeout(model: model)
                        throw ModificationError.skippedLocked(model: model, id: AnyPrimaryKey(id))
                    }
                    throw ModificationError.notFound(model: model, id: AnyPrimaryKey(id))
                }
                try tx.update(&value, change)
                return (value, lockWait)
            }
        } catch let error as DatabaseError where error.kind == .lockNotAvailable || error.kind == .busy {
            ContentionMetrics.recordLockTimeout(model: model)
            throw error
        }
    }

    private func modifyMerging<M: Model>(_ type: M.Type, id: M.Key, policy: RetryPolicy,
                                         _ change: @escaping @Sendable (inout M) throws -> Void) async throws -> Modification<M> {
        // What the previous attempt read and meant to write; nil until an attempt has run. Attempts run one after
        // another, each on the writer's thread, so the lock is only ever taken uncontended.
        let previous = Mutex<MergeAttempt<M>?>(nil)
        let result = try await retrying(M.self, policy) { _ in
            try await self.writeWithoutTransaction { session in
                let fresh = try Self.current(M.self, id: id, in: session)
                let attempt = try MergeAttempt(fresh: fresh, previous: previous.withLock { $0 }, change)
                previous.withLock { $0 = attempt }
                var value = fresh
                try session.update(&value) { $0 = attempt.intended }
                return value
            }
        }
        return Modification(value: result.value, attempts: result.attempts)
    }

    /// Runs `operation` under `policy`, counting and logging each retry against the model.
    func retrying<M: Model, T: Sendable>(_ type: M.Type, _ policy: RetryPolicy,
                                         _ operation: (Int) async throws -> T) async throws -> Retried<T> {
        try await retrying(model: M.schema.modelName, policy, operation)
    }

    /// Runs `operation` under `policy`, counting and logging each retry under `model` (a model's name, or
    /// "transaction" for a whole `write`).
    func retrying<T: Sendable>(model: String, _ policy: RetryPolicy,
                               _ operation: (Int) async throws -> T) async throws -> Retried<T> {
        let logger = self.logger
        return try await policy.run(operation) { attempt, reason, wait in
            ContentionMetrics.recordRetry(model: model, reason: reason)
            logger.debug("retrying", metadata: [
                "db.model": "\(model)", "db.attempt": "\(attempt)", "db.retry_reason": "\(reason)",
                "db.retry_wait": "\(wait)",
            ])
        }
    }
}

/// One attempt of a `.merge` modification: the row it read, the row it meant to write and the columns it changed.
private struct MergeAttempt<M: Model>: Sendable {
    let base: M
    let intended: M
    let changed: [Int]

    /// After a conflict, when the other writer changed none of the columns the previous attempt changed, that
    /// attempt's column values are re-applied to the fresh row; otherwise `change` runs again on it.
    init(fresh: M, previous: MergeAttempt?, _ change: (inout M) throws -> Void) throws {
        let schema = M.schema
        var intended = fresh
        if let previous, Set(schema.changedColumnIndices(from: previous.base, to: fresh)).isDisjoint(with: previous.changed) {
            for index in previous.changed {
                schema.columns[index].copyValue(from: previous.intended, to: &intended)
            }
            changed = previous.changed
        } else {
            try change(&intended)
            changed = schema.changedColumnIndices(from: fresh, to: intended)
        }
        base = fresh
        self.intended = intended
    }
}
