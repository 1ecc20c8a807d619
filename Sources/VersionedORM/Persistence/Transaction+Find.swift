extension Transaction {
    /// The row with this primary key, or nil.
    @inlinable
    public func find<M: Model>(_ type: M.Type, id: M.Key) throws -> M? {
        if readLock == nil, adaptiveReads != nil { return try findAdaptively(type, id: id) }
        return try find(type, id: id, lockingAs: readLock)
    }

    /// The find of an adaptive unit of work's first attempt: locked while the row is hot, and timed, so a long
    /// wait for the lock keeps the row hot.
    @usableFromInline
    func findAdaptively<M: Model>(_ type: M.Type, id: M.Key) throws -> M? {
        guard let adaptiveReads else { return try find(type, id: id, lockingAs: nil) }
        let bucket = adaptiveReads.bucket(table: schema(for: M.self).table, key: AnyPrimaryKey(id))
        guard let lock = adaptiveReads.lock(forBucket: bucket, model: M.schema.modelName) else {
            return try find(type, id: id, lockingAs: nil)
        }
        let requested = ContinuousClock.now
        let found = try find(type, id: id, lockingAs: lock)
        adaptiveReads.waited(requested.duration(to: .now), bucket: bucket)
        return found
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
