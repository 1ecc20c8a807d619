extension Query {
    /// One `UPDATE … SET … WHERE <this query's filter>` computed by the database, so concurrent updates add up
    /// instead of overwriting each other:
    ///
    /// ```swift
    /// let moved = try Account.where { $0.id == id && $0.balance >= 10 }.updateAll(tx) { $0.balance -= 10 }
    /// ```
    ///
    /// The version of every row it touches goes up by one, so copies held elsewhere become stale. Assigning only
    /// columns outside the version (`versioned: false`) leaves it alone.
    ///
    /// `leavingVersionUnsafely: true` leaves the version alone whatever is assigned. That is unsafe by design: a
    /// versioned writer holding a copy read before this update cannot see the change, and its save writes the
    /// copy's value back over it, silently. Use it only for columns no versioned writer writes; for counters
    /// and the like, mark the column outside the version instead. Returns the number of rows changed. When a matching row's
    /// version is Int64.max, nothing changes and it throws ``PersistenceError/versionOverflow(model:primaryKey:)``.
    @discardableResult
    public func updateAll(_ transaction: Transaction, leavingVersionUnsafely: Bool = false,
                       _ assign: (inout ColumnAssignments<M>) -> Void) throws -> Int {
        guard let (statement, _) = try updateStatement(transaction, bumpingVersion: !leavingVersionUnsafely, assign: assign) else { return 0 }
        return try transaction.reportingVersionOverflow(M.self, primaryKey: nil) {
            try transaction.send(transaction.render(statement))
        }
    }

    /// The same update, returning the changed rows as the database left them (RETURNING): refresh values held in
    /// memory from these rather than applying the expression to them a second time.
    public func updateAllReturning(_ transaction: Transaction, leavingVersionUnsafely: Bool = false,
                                _ assign: (inout ColumnAssignments<M>) -> Void) throws -> [M] {
        guard let (update, bumps) = try updateStatement(transaction, bumpingVersion: !leavingVersionUnsafely, assign: assign) else { return [] }
        var statement = update
        let names = transaction.schema(for: M.self).selectedColumnNames.map { SQL(segments: [.identifier($0)]) }
        statement.append(" RETURNING \(SQL.joined(names, separator: ", "))")
        var models: [M] = []
        _ = try transaction.reportingVersionOverflow(M.self, primaryKey: nil) {
            try transaction.query(transaction.render(statement)) { row in models.append(try M.decode(&row)) }
        }
        if bumps, transaction.versionLedger.isActive {
            // These values leave with their new versions: if a savepoint around this rolls back, those versions
            // must be burned like any other write's.
            let schema = transaction.schema(for: M.self)
            for model in models {
                guard let key = schema.key(of: model) else { continue }
                transaction.versionLedger.recordWrite(
                    .init(table: schema.table, key: AnyPrimaryKey(key)), primaryKeyColumn: schema.primaryKeyColumn,
                    versionColumn: schema.versionColumn, version: model[keyPath: schema.version])
            }
        }
        return models
    }

    private func updateStatement(_ transaction: Transaction, bumpingVersion: Bool,
                                 assign: (inout ColumnAssignments<M>) -> Void) throws -> (SQL, bumps: Bool)? {
        try transaction.requireWritable("update")
        let schema = transaction.schema(for: M.self)
        try schema.validate()
        var assignments = ColumnAssignments<M>()
        assign(&assignments)
        if let problem = assignments.problems.first { throw SchemaError(problem) }
        var setList = assignments.assignments.map { "\(identifier: $0.name) = \($0.value)" as SQL }
        // Assigning only columns outside the version leaves it alone, as for a single value.
        let bumps = bumpingVersion && !schema.isUnversionedWrite(assignments.columnIndices)
        if bumps {
            if transaction.versionLedger.isActive { try transaction.settleBurnedVersions(in: schema.table) }
            setList.append(schema.checkedVersionBump())
        }
        guard !setList.isEmpty else { return nil }
        var statement: SQL = "UPDATE \(identifier: schema.table) SET \(SQL.joined(setList, separator: ", "))"
        if let filter = try filterClause(for: "update") { statement.append(filter) }
        return (statement, bumps)
    }
}
