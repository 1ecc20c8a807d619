extension Transaction {
    /// Changes one loaded value with expressions the database computes, version-checked, and refreshes the value
    /// from the row as the database left it:
    ///
    /// ```swift
    /// try tx.update(&account, set: { $0.balance += 5 })
    /// // UPDATE "accounts" SET "balance" = ("balance" + ?), "version" = "version" + 1
    /// //     WHERE "id" = ? AND "version" = ? RETURNING …
    /// ```
    ///
    /// With `checkingVersion: false` the statement is `WHERE "id" = ?` alone: it applies to whatever the row
    /// holds now (an increment that must not fail because someone else wrote first), and still bumps the
    /// version, so other copies become stale. Assigning only columns outside the version neither checks nor
    /// bumps it. Nothing is sent when the closure assigns nothing.
    ///
    /// A value never inserted throws ``PersistenceError/notInserted(model:operation:)``; a changed row throws
    /// ``StaleRecordError`` (`.deleted` when it is gone), and the value is then exactly as it was.
    public func update<M: Model>(_ value: inout M, checkingVersion: Bool = true,
                                 set assign: (inout ColumnAssignments<M>) -> Void) throws {
        try requireWritable("update")
        let (id, version) = try identity(of: value, operation: .update)
        let schema = self.schema(for: M.self)
        var assignments = ColumnAssignments<M>()
        assign(&assignments)
        if let problem = assignments.problems.first { throw SchemaError(problem) }
        if assignments.assignments.isEmpty { return }
        var setList = assignments.assignments.map { "\(identifier: $0.name) = \($0.value)" as SQL }
        let row = SavepointVersionLedger.RowKey(table: schema.table, key: id)
        let bumps = !schema.isUnversionedWrite(assignments.columnIndices)
        let checks = checkingVersion && bumps
        if bumps {
            if checks {
                guard version < Int64.max else {
                    throw PersistenceError.versionOverflow(model: M.schema.modelName, primaryKey: id)
                }
                let next = try nextVersion(of: row, after: version, model: M.schema.modelName)
                setList.append("\(identifier: schema.versionColumn) = \(next)")
            } else {
                // The row's current version is unknown here; a burned one is moved past first, as bulk updates do.
                if versionLedger.isActive { try settleBurnedVersions(in: schema.table) }
                setList.append(schema.checkedVersionBump())
            }
        }
        var statement: SQL = """
            UPDATE \(identifier: schema.table) SET \(SQL.joined(setList, separator: ", ")) \
            WHERE \(identifier: schema.primaryKeyColumn) = \(key: id)
            """
        if checks { statement.append(" AND \(identifier: schema.versionColumn) = \(version)") }
        let names = schema.selectedColumnNames.map { SQL(segments: [.identifier($0)]) }
        statement.append(" RETURNING \(SQL.joined(names, separator: ", "))")
        var refreshed: [M] = []
        _ = try reportingVersionOverflow(M.self, primaryKey: id) {
            try query(render(statement)) { result in refreshed.append(try M.decode(&result)) }
        }
        guard let updated = refreshed.first, refreshed.count == 1 else {
            if refreshed.isEmpty, checks {
                throw try staleRecordError(M.self, id: id, expectedVersion: version, operation: .update)
            }
            if refreshed.isEmpty { throw deletedRowError(M.self, id: id, expectedVersion: version, operation: .update) }
            throw PersistenceError.unexpectedRowCount(model: M.schema.modelName, operation: .update,
                                                      count: refreshed.count)
        }
        if bumps, versionLedger.isActive {
            versionLedger.recordWrite(row, primaryKeyColumn: schema.primaryKeyColumn,
                                      versionColumn: schema.versionColumn, version: updated[keyPath: schema.version])
        }
        value = updated
    }
}
