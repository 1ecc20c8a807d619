/// A query whose rows stay locked until the transaction ends, made by ``Query/forUpdate(_:of:)``.
///
/// It takes a ``Transaction`` only: the ``AutocommitSession`` of `writeWithoutTransaction` has no transaction to
/// hold a lock in, so using one there does not compile. A read transaction refuses it when it runs
/// (``UsageError/rowLockOutsideWriteTransaction``).
public struct LockingQuery<M: Model>: Sendable {
    @usableFromInline let query: Query<M>

    init(query: Query<M>) {
        self.query = query
    }

    /// Every matching row, locked.
    @inlinable
    public func fetchAll(_ transaction: Transaction) throws -> [M] {
        try query.fetchAll(transaction)
    }

    /// The first matching row, locked.
    @inlinable
    public func fetchOne(_ transaction: Transaction) throws -> M? {
        try query.fetchOne(transaction)
    }
}
