extension Transaction {
    /// The row with this primary key, or nil.
    @inlinable
    public func find<M: Model>(_ type: M.Type, id: M.Key) throws -> M? {
        if readLock == nil, adaptiveReads != nil { return try findAdaptively(type, id: id) }
        return try find(type, id: id, lockingAs: readLock)
    }

    /// The find of an adaptive unit of work's first attempt: without a lock while the rows it reads are cold;
    /// from the first hot row on, locked, and timed, so a long wait for a lock keeps the row hot.
    ///
    /// Locks are taken in the order the rows were read, as a pessimistic unit of work takes them. Locking only
    /// the hot row would not: a cold row read before it is locked later, by its UPDATE, after the hot row's
    /// lock — and two units reading the same rows in the same order could then each hold the row the other
    /// waits for, a deadlock the server breaks only after `deadlock_timeout` (the strategy lab's k = 4 slice
    /// measured p99.9 of 3 s). So at the first hot row the rows read so far are locked first, in read order,
    /// each checked to still have the version read (a stale one ends the attempt, which the retry runs with
    /// every read locked), and every later read locks too.
    @usableFromInline
    func findAdaptively<M: Model>(_ type: M.Type, id: M.Key) throws -> M? {
        guard let adaptiveReads else { return try find(type, id: id, lockingAs: nil) }
        let bucket = adaptiveReads.bucket(table: schema(for: M.self).table, key: AnyPrimaryKey(id))
        let hotLock = adaptiveReads.lock(forBucket: bucket, model: M.schema.modelName)
        if hotLock == nil, !adaptiveLocksFromNowOn {
            let found = try find(type, id: id, lockingAs: nil)
            adaptiveUnlockedReads.append(Self.relock(M.self, id: id, version: found.map { $0[keyPath: M.schema.version] },
                                                     wait: adaptiveReads.knobs.wait))
            return found
        }
        if !adaptiveLocksFromNowOn {
            adaptiveLocksFromNowOn = true
            let earlier = adaptiveUnlockedReads
            adaptiveUnlockedReads = []
            for relock in earlier { try relock(self) }
        }
        // A cold row locked only to keep the read order is not timed: how long its read took says nothing
        // about contention on it (stale writes still heat it).
        guard let hotLock else { return try find(type, id: id, lockingAs: adaptiveReads.knobs.wait) }
        let requested = ContinuousClock.now
        let found = try find(type, id: id, lockingAs: hotLock)
        adaptiveReads.waited(requested.duration(to: .now), bucket: bucket)
        return found
    }

    /// Locks a row read earlier without a lock; throws ``StaleRecordError`` when it changed since (a row that
    /// was missing and still is, is fine).
    private static func relock<M: Model>(_ type: M.Type, id: M.Key, version: Int64?,
                                         wait: RowLockWait) -> (Transaction) throws -> Void {
        { tx in
            let now = try tx.find(M.self, id: id, lockingAs: wait).map { $0[keyPath: M.schema.version] }
            guard now != version, let version else { return }
            let schema = tx.schema(for: M.self)
            throw StaleRecordError(model: M.schema.modelName, table: schema.table, primaryKey: AnyPrimaryKey(id),
                                   expectedVersion: version,
                                   current: now.map { .modified(currentVersion: $0) } ?? .deleted, operation: .update)
        }
    }

    /// The find with an explicit row lock (`FOR UPDATE [NOWAIT | SKIP LOCKED]`; on SQLite, whose transaction holds
    /// the database's write lock, no clause): the statement's text comes from the persistence cache, not from a
    /// query rendered per call, so a pessimistic modification costs what a find costs.
    @inlinable
    func find<M: Model>(_ type: M.Type, id: M.Key, lockingAs lock: RowLockWait?) throws -> M? {
        try requireActive()
        if lock != nil { try requireRowLockAllowed() }
        let prepared = try PersistenceStatement(.findByKey(locking: lock)).prepared(for: schema(for: M.self), dialect: dialect)
        var model: M?
        try select(prepared.statement(key: id.databaseValue)) { row in
            if model == nil { model = try M.decode(&row) }
        }
        return model
    }

    /// Row locks need a write transaction: a read-only one cannot lock, and without a transaction the lock would
    /// end with the statement.
    @usableFromInline
    func requireRowLockAllowed() throws {
        try requireActive()
        if isReadOnly || isAutocommit { throw UsageError.rowLockOutsideWriteTransaction }
    }
}
