extension Transaction {
    /// Applies `change` to a copy of the value and writes only the columns it changed, version-checked.
    ///
    /// ```swift
    /// try tx.update(&account) { $0.balance -= 10 }
    /// // UPDATE "accounts" SET "balance" = ?, "version" = "version" + 1 WHERE "id" = ? AND "version" = ?
    /// ```
    ///
    /// When the closure changes no column nothing is sent and the version stays. When it changes only columns
    /// outside the version, they are written without checking or bumping it. On success the value holds the
    /// change and the new version; when the closure throws or the write fails (stale, constraint) the value is
    /// exactly as it was.
    public func update<M: Model>(_ value: inout M, _ change: (inout M) throws -> Void) throws {
        try requireWritable("update")
        let schema = self.schema(for: M.self)
        try schema.validate()
        _ = try identity(of: value, operation: .update)
        var changed = value
        try change(&changed)
        guard schema.key(of: changed) == schema.key(of: value),
              changed[keyPath: schema.version] == value[keyPath: schema.version]
        else {
            throw PersistenceError.identityChanged(model: M.schema.modelName)
        }
        let indices = schema.changedColumnIndices(from: value, to: changed)
        if !indices.isEmpty {
            let newVersion = try versionedUpdate(changed, columnIndices: indices, operation: .update)
            changed[keyPath: schema.version] = newVersion
            schema.holdStoredValues(of: indices, in: &changed)
        }
        value = changed
    }
}
