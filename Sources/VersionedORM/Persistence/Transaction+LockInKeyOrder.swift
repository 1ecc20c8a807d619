extension Transaction {
    /// Locks the rows with these keys until the transaction ends, all in one statement and in key order, and
    /// returns them in key order (a key without a row is left out).
    ///
    /// Two transactions that lock the same rows in opposite orders (a transfer from A to B beside one from B to
    /// A) can each hold one and wait for the other: PostgreSQL then aborts one with a deadlock (40P01). Locking
    /// every row a transaction needs up front, in key order, makes every transaction queue in the same order, so
    /// none can wait for another that waits for it.
    ///
    /// ```swift
    /// try await db.write { tx in
    ///     let locked = try tx.lock(Account.self, ids: [from, to])
    ///     guard var source = locked.first(where: { $0.id == from }),
    ///           var target = locked.first(where: { $0.id == to }) else { return }
    ///     try tx.update(&source) { $0.balance -= 10 }
    ///     try tx.update(&target) { $0.balance += 10 }
    /// }
    /// ```
    ///
    /// PostgreSQL: `SELECT … WHERE key IN (…) ORDER BY key FOR UPDATE`, with `wait`'s NOWAIT or SKIP LOCKED.
    /// SQLite has no row locks: its write transaction already holds the whole database, so no clause is sent
    /// and the rows are simply read. Needs a write transaction (``UsageError/rowLockOutsideWriteTransaction``).
    public func lock<M: Model>(_ type: M.Type = M.self, ids: [M.Key], wait: RowLockWait = .wait) throws -> [M] {
        // Duplicates would lock nothing more; without them the statement text depends only on the count.
        var seen = Set<M.Key>()
        let keys = ids.filter { seen.insert($0).inserted }
        return try Query<M>().matching(keys: keys).forUpdate(wait).fetchAll(self)
    }
}
