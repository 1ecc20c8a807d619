extension Transaction {
    /// Writes every column of a value that was read or inserted before, if its version is still current.
    ///
    /// Sends `UPDATE … SET every column, version = version + 1 WHERE pk = ? AND version = ?`. Columns outside the
    /// version (`versioned: false`) are not written: the version check cannot see what others wrote to them, so
    /// writing a loaded copy's value back would overwrite it blindly; write them with ``update(_:_:)`` or
    /// ``save(_:columns:)``. On success the
    /// value's version goes up by one; when the row changed or vanished meanwhile it throws
    /// ``StaleRecordError`` and leaves the value as it was. A value never inserted throws
    /// ``PersistenceError/notInserted(model:operation:)``: a save never inserts.
    ///
    /// `save` has no memory of what was loaded, so it always writes. To send only what changed, use
    /// ``update(_:_:)``.
    public func save<M: Model>(_ value: inout M) throws {
        let schema = self.schema(for: M.self)
        let written = schema.versionedColumnIndices
        let newVersion = try versionedUpdate(value, columnIndices: written, operation: .save)
        value[keyPath: schema.version] = newVersion
        schema.holdStoredValues(of: written, in: &value)
    }

    /// Writes only the named columns, still version-checked; the version goes up, unless every named column is
    /// outside the version (then the write neither checks nor bumps it).
    ///
    /// An empty list sends nothing and keeps the version. Naming the primary key, the version or a property that
    /// is not a column throws before anything is sent.
    public func save<M: Model>(_ value: inout M, columns keyPaths: [PartialKeyPath<M>]) throws {
        let schema = self.schema(for: M.self)
        try schema.validate()
        var indices: [Int] = []
        for keyPath in keyPaths {
            guard let index = schema.columnIndex(for: keyPath) else {
                throw PersistenceError.unknownColumn(model: M.schema.modelName, property: "\(keyPath)")
            }
            if !indices.contains(index) { indices.append(index) }
        }
        if indices.isEmpty {
            _ = try identity(of: value, operation: .save)
            return
        }
        let newVersion = try versionedUpdate(value, columnIndices: indices.sorted(), operation: .save)
        value[keyPath: schema.version] = newVersion
        schema.holdStoredValues(of: indices, in: &value)
    }
}
