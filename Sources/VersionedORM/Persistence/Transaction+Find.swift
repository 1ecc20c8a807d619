extension Transaction {
    /// The row with this primary key, or nil.
    @inlinable
    public func find<M: Model>(_ type: M.Type, id: M.Key) throws -> M? {
        try requireActive()
        let prepared = try PersistenceStatement(.findByKey(locking: readLock)).prepared(for: schema(for: M.self), dialect: dialect)
        var model: M?
        try select(prepared.statement(key: id.databaseValue)) { row in
            if model == nil { model = try M.decode(&row) }
        }
        return model
    }
}
