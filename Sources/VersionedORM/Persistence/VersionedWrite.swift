/// The version rule shared by save, update, delete and touch: a statement that carries
/// `WHERE pk = ? AND version = ?`, exactly one row changed on success, and on zero rows a second look that says
/// whether the row was modified or deleted. The happy path is one statement, its text rendered once per shape.
extension Transaction {
    /// The primary key and version of a value about to be written, or the error that forbids the write.
    func identity<M: Model>(of value: M, operation: WriteOperation) throws -> (id: AnyPrimaryKey, version: Int64) {
        let schema = self.schema(for: M.self)
        try schema.validate()
        let version = value[keyPath: schema.version]
        guard let id = schema.key(of: value).map(AnyPrimaryKey.init), version != 0 else {
            throw PersistenceError.notInserted(model: M.schema.modelName, operation: operation)
        }
        guard version > 0 else {
            throw PersistenceError.invalidVersion(model: M.schema.modelName, version: version)
        }
        return (id, version)
    }

    /// `UPDATE table SET columns, version = version + 1 WHERE pk = ? AND version = ?`; returns the new version.
    /// `columnIndices` are positions in the schema's columns, in schema order; empty bumps the version alone.
    /// After a savepoint burned versions of the row, the new version skips past them (`version = ?`).
    ///
    /// When every column written is outside the version, the write neither checks nor bumps it:
    /// `UPDATE table SET columns WHERE pk = ?`, which conflicts with nobody; zero rows means the row was deleted.
    func versionedUpdate<M: Model>(_ value: M, columnIndices: [Int], operation: WriteOperation) throws -> Int64 {
        try requireWritable(operation.rawValue)
        let (id, version) = try identity(of: value, operation: operation)
        if schema(for: M.self).isUnversionedWrite(columnIndices) {
            try unversionedWrite(value, id: id, version: version, columnIndices: columnIndices, operation: operation)
            return version
        }
        let model = M.schema.modelName
        guard version < Int64.max else {
            throw PersistenceError.versionOverflow(model: model, primaryKey: id)
        }
        let schema = self.schema(for: M.self)
        let row = SavepointVersionLedger.RowKey(table: schema.table, key: id)
        let newVersion = try nextVersion(of: row, after: version, model: model)
        let statement = PersistenceStatement(.update(columns: columnIndices, checksVersion: true,
                                                     newVersion: newVersion != version + 1 ? .bound : .increment))
        let prepared = try statement.prepared(for: schema, dialect: dialect)
        try beforeVersionedWrite(schema, id: id)
        let changed = try send(prepared.statement(for: value, schema: schema, key: id.databaseValue,
                                                  expectedVersion: version, newVersion: newVersion))
        try expectOneRow(changed, M.self, id: id, version: version, operation: operation)
        if versionLedger.isActive {
            versionLedger.recordWrite(row, primaryKeyColumn: schema.primaryKeyColumn,
                                      versionColumn: schema.versionColumn, version: newVersion)
        }
        return newVersion
    }

    /// `DELETE FROM table WHERE pk = ? AND version = ?`.
    func versionedDelete<M: Model>(_ value: M) throws {
        let operation = WriteOperation.delete
        try requireWritable(operation.rawValue)
        let (id, version) = try identity(of: value, operation: operation)
        let schema = self.schema(for: M.self)
        let prepared = try PersistenceStatement(.delete).prepared(for: schema, dialect: dialect)
        try beforeVersionedWrite(schema, id: id)
        let changed = try send(prepared.statement(key: id.databaseValue, expectedVersion: version))
        try expectOneRow(changed, M.self, id: id, version: version, operation: operation)
        if versionLedger.isActive { versionLedger.settled(.init(table: schema.table, key: id)) }
    }

    /// Lets a test conflict this write (``TestHooks/beforeVersionedWrite``): the competing write bumps the row's
    /// version the way another writer's save would.
    private func beforeVersionedWrite<M: Model>(_ schema: Schema<M>, id: AnyPrimaryKey) throws {
        guard let hook = context.configuration.testHooks?.beforeVersionedWrite else { return }
        try hook(schema.table, id) {
            let version = schema.versionColumn
            _ = try send(dialect.render("""
                UPDATE \(identifier: schema.table) SET \(identifier: version) = \(identifier: version) + 1 \
                WHERE \(identifier: schema.primaryKeyColumn) = \(key: id)
                """))
        }
    }

    /// `UPDATE table SET columns WHERE pk = ?` of columns outside the version: no check, no bump. Zero rows
    /// changed can only mean the row is gone.
    private func unversionedWrite<M: Model>(_ value: M, id: AnyPrimaryKey, version: Int64, columnIndices: [Int],
                                            operation: WriteOperation) throws {
        let schema = self.schema(for: M.self)
        let statement = PersistenceStatement(.update(columns: columnIndices, checksVersion: false, newVersion: .unchanged))
        let prepared = try statement.prepared(for: schema, dialect: dialect)
        let changed = try send(prepared.statement(for: value, schema: schema, key: id.databaseValue))
        switch changed {
        case 1:
            return
        case 0:
            throw deletedRowError(M.self, id: id, expectedVersion: version, operation: operation)
        default:
            throw PersistenceError.unexpectedRowCount(model: M.schema.modelName, operation: operation,
                                                      count: changed)
        }
    }

    /// `UPDATE table SET columns, version = version + 1 WHERE pk = ?` with no version check: `.naive` only.
    /// Returns the number of rows changed.
    func unversionedUpdate<M: Model>(_ value: M, id: AnyPrimaryKey, columnIndices: [Int]) throws -> Int {
        try requireWritable("update")
        let schema = self.schema(for: M.self)
        try schema.validate()
        let statement = PersistenceStatement(.update(columns: columnIndices, checksVersion: false,
                                                     newVersion: .checkedIncrement))
        let prepared = try statement.prepared(for: schema, dialect: dialect)
        return try reportingVersionOverflow(M.self, primaryKey: id) {
            try send(prepared.statement(for: value, schema: schema, key: id.databaseValue))
        }
    }

    /// A bulk or unversioned write bumps with ``Schema/checkedVersionBump``, which turns a version at Int64.max into
    /// NULL and so into a NOT NULL violation on the version column, on both databases, before any row changes.
    /// That failure is reported as what it is.
    func reportingVersionOverflow<M: Model, T>(_ type: M.Type, primaryKey: AnyPrimaryKey?, _ write: () throws -> T) throws -> T {
        do {
            return try write()
        } catch let error as DatabaseError
            where error.kind == .notNullViolation && error.columnName == schema(for: M.self).versionColumn {
            throw PersistenceError.versionOverflow(model: M.schema.modelName, primaryKey: primaryKey)
        }
    }

    func expectOneRow<M: Model>(_ changed: Int, _ type: M.Type, id: AnyPrimaryKey, version: Int64,
                                        operation: WriteOperation) throws {
        switch changed {
        case 1:
            return
        case 0:
            throw try staleRecordError(M.self, id: id, expectedVersion: version, operation: operation)
        default:
            throw PersistenceError.unexpectedRowCount(model: M.schema.modelName, operation: operation,
                                                      count: changed)
        }
    }

    /// A write that did not check the version changed nothing: the row can only be gone.
    func deletedRowError<M: Model>(_ type: M.Type, id: AnyPrimaryKey, expectedVersion: Int64,
                                   operation: WriteOperation) -> StaleRecordError {
        StaleRecordError(model: M.schema.modelName, table: schema(for: M.self).table, primaryKey: id,
                         expectedVersion: expectedVersion, current: .deleted, operation: operation)
    }

    /// Runs only after a versioned write changed nothing: one SELECT to tell "modified" from "deleted".
    func staleRecordError<M: Model>(_ type: M.Type, id: AnyPrimaryKey, expectedVersion: Int64,
                                            operation: WriteOperation) throws -> StaleRecordError {
        let schema = self.schema(for: M.self)
        let prepared = try PersistenceStatement(.currentVersion).prepared(for: schema, dialect: dialect)
        var current: Int64??
        try select(prepared.statement(key: id.databaseValue)) { row in
            if current == nil { current = .some(try row.decode(Int64?.self, at: 0)) }
        }
        let state: StaleRecordError.CurrentState
        switch current {
        case .none: state = .deleted
        case .some(let version): state = .modified(currentVersion: version ?? 0)
        }
        ContentionMetrics.recordConflict(model: M.schema.modelName)
        logger.debug("stale record", metadata: [
            "db.model": "\(M.self)", "db.operation": "\(operation)", "db.expected_version": "\(expectedVersion)",
        ])
        return StaleRecordError(model: M.schema.modelName, table: schema.table, primaryKey: id,
                                expectedVersion: expectedVersion, current: state, operation: operation)
    }
}
