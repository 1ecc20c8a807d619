extension Transaction {
    /// Applies a change a client made to the version it held — a form or a JSON body that posts back the
    /// version it was shown — to `current`, the row as loaded in this transaction:
    ///
    /// ```swift
    /// try await db.write { tx in
    ///     guard var product = try tx.find(Product.self, id: form.id) else { throw NotFound() }
    ///     try tx.update(&product, expecting: form.version) { $0.name = form.name }
    /// }
    /// ```
    ///
    /// When the row is still at `version`, this is ``update(_:_:)``: only the changed columns, version-checked.
    /// When it has moved on, the write is refused with ``StaleRecordError`` (`expectedVersion` is the client's
    /// version) and `current` is left as loaded, ready to be shown to the user — unless `seen` is given: the row
    /// as the client saw it (the original values a form posts back beside the edited ones). Then the change is
    /// refused only when someone else changed, since `seen`, a column the client changed; otherwise the client's
    /// values of its changed columns are written onto the current row, version-checked against it (the
    /// `.merge` rule, for a version held outside the transaction).
    public func update<M: Model>(_ current: inout M, expecting version: Int64, seen: M? = nil,
                                 _ change: (inout M) throws -> Void) throws {
        try requireWritable("update")
        let schema = self.schema(for: M.self)
        let (id, currentVersion) = try identity(of: current, operation: .update)
        if currentVersion == version {
            try update(&current, change)
            return
        }
        if let seen {
            guard schema.key(of: seen) == schema.key(of: current) else {
                throw UsageError.invalidArgument("update(_:expecting:seen:): seen is another row than current")
            }
            var intended = seen
            try change(&intended)
            let theirs = Set(schema.changedColumnIndices(from: seen, to: current))
            let mine = schema.changedColumnIndices(from: seen, to: intended)
            if theirs.isDisjoint(with: mine) {
                try update(&current) { row in
                    for index in mine { schema.columns[index].copyValue(from: intended, to: &row) }
                }
                return
            }
        }
        ContentionMetrics.recordConflict(model: M.schema.modelName)
        throw StaleRecordError(model: M.schema.modelName, table: schema.table, primaryKey: id,
                               expectedVersion: version, current: .modified(currentVersion: currentVersion),
                               operation: .update)
    }
}
