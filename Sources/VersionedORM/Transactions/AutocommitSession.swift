/// A connection without a transaction around it, handed to `Database.writeWithoutTransaction`: every statement
/// commits by itself.
///
/// It offers what single-statement work needs — finds, versioned writes, queries, raw SQL — and neither
/// savepoints nor row locks, which need a transaction: using them here is a compile error rather than a run-time
/// one. Like a ``Transaction`` it must not outlive its closure. Versioned writes stay safe, because the version
/// check is part of each statement.
public struct AutocommitSession {
    @usableFromInline let transaction: Transaction

    init(transaction: Transaction) {
        self.transaction = transaction
    }

    /// The dialect every statement is rendered with.
    public var dialect: any SQLDialect { transaction.dialect }

    /// See ``Transaction/find(_:id:)``.
    public func find<M: Model>(_ type: M.Type, id: M.Key) throws -> M? {
        try transaction.find(type, id: id)
    }

    /// See `Transaction.insert(_:)`.
    public func insert<M: Model>(_ value: inout M) throws {
        try transaction.insert(&value)
    }

    /// See ``Transaction/save(_:)``.
    public func save<M: Model>(_ value: inout M) throws {
        try transaction.save(&value)
    }

    /// See ``Transaction/save(_:columns:)``.
    public func save<M: Model>(_ value: inout M, columns: [PartialKeyPath<M>]) throws {
        try transaction.save(&value, columns: columns)
    }

    /// See ``Transaction/update(_:_:)``.
    public func update<M: Model>(_ value: inout M, _ change: (inout M) throws -> Void) throws {
        try transaction.update(&value, change)
    }

    /// See ``Transaction/update(_:checkingVersion:set:)``: one statement, so it is atomic here too.
    public func update<M: Model>(_ value: inout M, checkingVersion: Bool = true,
                                 set assign: (inout ColumnAssignments<M>) -> Void) throws {
        try transaction.update(&value, checkingVersion: checkingVersion, set: assign)
    }

    /// See ``Transaction/delete(_:)``.
    public func delete<M: Model>(_ value: M) throws {
        try transaction.delete(value)
    }

    /// See ``Transaction/touch(_:)``.
    public func touch<M: Model>(_ value: inout M) throws {
        try transaction.touch(&value)
    }

    /// See ``Transaction/execute(_:)``.
    @discardableResult
    public func execute(_ sql: SQL) throws -> Int {
        try transaction.execute(sql)
    }

    /// See ``Transaction/fetchAll(_:_:)``.
    public func fetchAll<M: Model>(_ type: M.Type, _ sql: SQL) throws -> [M] {
        try transaction.fetchAll(type, sql)
    }

    /// See ``Transaction/fetchRows(_:)``.
    public func fetchRows(_ sql: SQL) throws -> [[DatabaseValue]] {
        try transaction.fetchRows(sql)
    }

    /// See ``Transaction/fetchValue(_:_:)``.
    public func fetchValue<V: DatabaseValueConvertible>(_ type: V.Type, _ sql: SQL) throws -> V? {
        try transaction.fetchValue(type, sql)
    }
}

extension Query {
    // The same as with a Transaction; each statement commits by itself.

    /// Every matching row, as `fetchAll` reads them in a ``Transaction``.
    @inlinable
    public func fetchAll(_ session: AutocommitSession) throws -> [M] {
        try fetchAll(session.transaction)
    }

    /// The first matching row, or nil, as `fetchOne` reads it in a ``Transaction``.
    @inlinable
    public func fetchOne(_ session: AutocommitSession) throws -> M? {
        try fetchOne(session.transaction)
    }

    /// The number of matching rows, as `count` gives it in a ``Transaction``.
    public func count(_ session: AutocommitSession) throws -> Int {
        try count(session.transaction)
    }

    /// Whether any row matches, as `exists` tells in a ``Transaction``.
    public func exists(_ session: AutocommitSession) throws -> Bool {
        try exists(session.transaction)
    }

    /// The atomic `updateAll` of a ``Transaction``, as one statement that commits by itself; returns the number of
    /// rows changed.
    @discardableResult
    public func updateAll(_ session: AutocommitSession, leavingVersionUnsafely: Bool = false,
                          _ assign: (inout ColumnAssignments<M>) -> Void) throws -> Int {
        try updateAll(session.transaction, leavingVersionUnsafely: leavingVersionUnsafely, assign)
    }

    /// The atomic `updateAllReturning` of a ``Transaction``, as one statement that commits by itself; returns the
    /// changed rows as the database left them.
    public func updateAllReturning(_ session: AutocommitSession, leavingVersionUnsafely: Bool = false,
                                   _ assign: (inout ColumnAssignments<M>) -> Void) throws -> [M] {
        try updateAllReturning(session.transaction, leavingVersionUnsafely: leavingVersionUnsafely, assign)
    }
}
