/// The version rule shared by save, update, delete and touch: a statement that carries
/// `WHERE pk = ? AND version = ?`, exactly one row changed on success, and on zero rows a second look that says
/// whether the row was modified or deleted. The happy path is one statement.
extension Transaction {
    /// The primary key and version of a value about to be written, or the error that forbids the write.
    func identity<M: Model>(of value: M, operation: String) throws -> (id: Int64, version: Int64) {
        let schema = M.schema
        try schema.validate()
        let version = value[keyPath: schema.version]
        guard let id = value[keyPath: schema.primaryKey], version != 0 else {
            throw PersistenceError.notInserted(model: String(describing: M.self), operation: operation)
        }
        guard version > 0 else {
            throw PersistenceError.invalidVersion(model: String(describing: M.self), version: version)
        }
        return (id, version)
    }

    /// `UPDATE table SET assignments, version = version + 1 WHERE pk = ? AND version = ?`; returns the new version.
    func versionedUpdate<M: Model>(_ value: M, assignments: [SQL], operation: String) throws -> Int64 {
        try requireWritable(operation)
        let (id, version) = try identity(of: value, operation: operation)
        guard version < Int64.max else {
            throw PersistenceError.versionOverflow(model: String(describing: M.self), primaryKey: id)
        }
        let schema = M.schema
        let versionColumn = schema.versionColumn
        let bump: SQL = "\(identifier: versionColumn) = \(identifier: versionColumn) + 1"
        let sql: SQL = """
            UPDATE \(identifier: schema.table) SET \(SQL.joined(assignments + [bump], separator: ", ")) \
            WHERE \(identifier: schema.primaryKeyColumn) = \(id) AND \(identifier: versionColumn) = \(version)
            """
        try expectOneRow(try send(render(sql)), M.self, id: id, version: version, operation: operation)
        return version + 1
    }

    /// `DELETE FROM table WHERE pk = ? AND version = ?`.
    func versionedDelete<M: Model>(_ value: M) throws {
        let operation = "delete"
        try requireWritable(operation)
        let (id, version) = try identity(of: value, operation: operation)
        let schema = M.schema
        let sql: SQL = """
            DELETE FROM \(identifier: schema.table) \
            WHERE \(identifier: schema.primaryKeyColumn) = \(id) AND \(identifier: schema.versionColumn) = \(version)
            """
        try expectOneRow(try send(render(sql)), M.self, id: id, version: version, operation: operation)
    }

    /// `column = ?` for each of the schema's columns at `indices`, with the values from `value`.
    func assignments<M: Model>(of value: M, columnIndices: [Int]) -> [SQL] {
        let columns = M.schema.columns
        return columnIndices.map { index in
            "\(identifier: columns[index].name) = \(SQL(segments: [.value(columns[index].value(in: value))]))"
        }
    }

    private func expectOneRow<M: Model>(_ changed: Int, _ type: M.Type, id: Int64, version: Int64,
                                        operation: String) throws {
        switch changed {
        case 1:
            return
        case 0:
            throw try staleRecordError(M.self, id: id, expectedVersion: version, operation: operation)
        default:
            throw PersistenceError.unexpectedRowCount(model: String(describing: M.self), operation: operation,
                                                      count: changed)
        }
    }

    /// Runs only after a versioned write changed nothing: one SELECT to tell "modified" from "deleted".
    private func staleRecordError<M: Model>(_ type: M.Type, id: Int64, expectedVersion: Int64,
                                            operation: String) throws -> StaleRecordError {
        let schema = M.schema
        let current = try fetchValue(Int64?.self, """
            SELECT \(identifier: schema.versionColumn) FROM \(identifier: schema.table) \
            WHERE \(identifier: schema.primaryKeyColumn) = \(id)
            """)
        let state: StaleRecordError.CurrentState
        switch current {
        case .none: state = .deleted
        case .some(let version): state = .modified(currentVersion: version ?? 0)
        }
        ContentionMetrics.recordConflict(model: String(describing: M.self))
        context.configuration.logger.debug("stale record", metadata: [
            "db.model": "\(M.self)", "db.operation": "\(operation)", "db.expected_version": "\(expectedVersion)",
        ])
        return StaleRecordError(model: String(describing: M.self), table: schema.table, primaryKey: id,
                                expectedVersion: expectedVersion, current: state, operation: operation)
    }
}
