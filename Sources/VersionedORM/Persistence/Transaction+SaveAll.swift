extension Transaction {
    /// Saves many loaded values, each like ``save(_:)`` (every versioned column, checked against the version the
    /// value holds), and reports which were written and which were stale, instead of stopping at the first.
    ///
    /// ```swift
    /// var accounts = try Account.where { $0.balance < 0 }.fetchAll(tx)
    /// for index in accounts.indices { accounts[index].note = "overdrawn" }
    /// let result = try tx.saveAll(&accounts)
    /// print(result.saved.count, result.modified, result.deleted)
    /// ```
    ///
    /// PostgreSQL writes up to 1,000 values per statement, in one round trip:
    /// `UPDATE t SET c = v.c, …, version = t.version + 1 FROM (VALUES …) AS v(…) WHERE t.key = v.key AND
    /// t.version = v.version RETURNING t.key`. SQLite, where a round trip is a function call, runs its prepared
    /// UPDATE once per value, as does any database inside a savepoint (whose versions must be tracked row by
    /// row). Either way one more statement tells modified rows from deleted ones, only when some were stale.
    ///
    /// Every value is checked before anything is sent: a value never inserted, two values of the same row or a
    /// value that cannot be stored throws, and nothing is written. A stale value is no failure: the transaction
    /// goes on, and the value keeps its old version.
    @discardableResult
    public func saveAll<M: Model>(_ values: inout [M]) throws -> BatchSaveResult<M.Key> {
        try requireWritable("save")
        let schema = self.schema(for: M.self)
        try schema.validate()
        var identities: [(key: M.Key, version: Int64)] = []
        identities.reserveCapacity(values.count)
        var seen = Set<M.Key>()
        for value in values {
            let (id, version) = try identity(of: value, operation: .save)
            guard let key = schema.key(of: value) else {
                throw PersistenceError.notInserted(model: M.schema.modelName, operation: .save)
            }
            guard version < Int64.max else { throw PersistenceError.versionOverflow(model: M.schema.modelName, primaryKey: id) }
            guard seen.insert(key).inserted else {
                throw UsageError.invalidArgument("saveAll got two values of the row with key \(key): save one of them")
            }
            identities.append((key, version))
        }
        guard dialect.updatesFromValues, !versionLedger.isActive, !values.isEmpty else {
            return try saveOneByOne(&values)
        }

        let columns = schema.versionedColumnIndices
        // Key and expected version, then the versioned columns, per row; checked before the first statement.
        let perRow = columns.count + 2
        var bound: [DatabaseValue] = []
        bound.reserveCapacity(values.count * perRow)
        for (index, value) in values.enumerated() {
            bound.append(try identities[index].key.databaseValue.storable())
            bound.append(.integer(identities[index].version))
            for column in columns { bound.append(try schema.value(ofColumn: column, in: value).storable()) }
        }
        let perStatement = max(1, min(1_000, dialect.maxBoundParameters / perRow))
        var written = Set<M.Key>()
        for start in stride(from: 0, to: values.count, by: perStatement) {
            let rows = start..<min(start + perStatement, values.count)
            let statement = try render(Self.updateFromValues(schema, columns: columns, rows: rows, perRow: perRow, bound: bound))
            let changed = try query(statement) { row in written.insert(try M.Key.fromDatabaseValue(try row.value(at: 0))) }
            guard changed <= rows.count else {
                throw PersistenceError.unexpectedRowCount(model: M.schema.modelName, operation: .save, count: changed)
            }
        }

        var result = BatchSaveResult<M.Key>()
        var stale: [M.Key] = []
        for index in values.indices {
            let key = identities[index].key
            if written.contains(key) {
                values[index][keyPath: schema.version] = identities[index].version + 1
                schema.holdStoredValues(of: columns, in: &values[index])
                result.saved.append(key)
            } else {
                stale.append(key)
            }
        }
        try classify(stale, schema: schema, into: &result)
        return result
    }

    /// One row at a time through ``save(_:)``, collecting the stale ones.
    private func saveOneByOne<M: Model>(_ values: inout [M]) throws -> BatchSaveResult<M.Key> {
        var result = BatchSaveResult<M.Key>()
        let schema = self.schema(for: M.self)
        for index in values.indices {
            guard let key = schema.key(of: values[index]) else { continue }
            do {
                try save(&values[index])
                result.saved.append(key)
            } catch let stale as StaleRecordError {
                if stale.current == .deleted { result.deleted.append(key) } else { result.modified.append(key) }
            }
        }
        return result
    }

    /// Sorts the keys of values that matched no row into rows that still exist (modified) and rows that do not.
    private func classify<M: Model>(_ stale: [M.Key], schema: Schema<M>, into result: inout BatchSaveResult<M.Key>) throws {
        guard !stale.isEmpty else { return }
        var existing = Set<M.Key>()
        for start in stride(from: 0, to: stale.count, by: 1_000) {
            let keys = stale[start..<min(start + 1_000, stale.count)].map { SQL(segments: [.value($0.databaseValue)]) }
            let sql: SQL = """
                SELECT \(identifier: schema.primaryKeyColumn) FROM \(identifier: schema.table) \
                WHERE \(identifier: schema.primaryKeyColumn) IN (\(SQL.joined(keys, separator: ", ")))
                """
            try select(try render(sql.markedOneOff())) { row in existing.insert(try M.Key.fromDatabaseValue(try row.value(at: 0))) }
        }
        for key in stale {
            ContentionMetrics.recordConflict(model: M.schema.modelName)
            if existing.contains(key) { result.modified.append(key) } else { result.deleted.append(key) }
        }
    }

    /// `UPDATE t SET … FROM (VALUES …) AS v(k, e, c0, …) WHERE t.key = v.k AND t.version = v.e RETURNING t.key`
    /// for `rows`. The VALUES columns carry names of their own, so no column of the table can collide with them,
    /// and casts to the columns' types, so a column bound only NULLs still has its type.
    private static func updateFromValues<M>(_ schema: Schema<M>, columns: [Int], rows: Range<Int>, perRow: Int,
                                            bound: [DatabaseValue]) -> SQL {
        let target = "versioned_orm_target"
        let source = "versioned_orm_values"
        let keyStorage = M.Key.columnType.storage
        var assignments = columns.enumerated().map { position, column -> SQL in
            "\(identifier: schema.columns[column].name) = \(identifier: source).\(identifier: "c\(position)")"
        }
        assignments.append("\(identifier: schema.versionColumn) = \(identifier: target).\(identifier: schema.versionColumn) + 1")
        // Each row's cells in `bound` are key, expected version, then the columns: cast to these types in turn.
        let storages = [keyStorage, .integer64] + columns.map { schema.columns[$0].type.storage }
        let tuples = rows.map { row -> SQL in
            let cells = storages.enumerated().map { position, storage in
                SQL(segments: [.text("CAST("), .value(bound[row * perRow + position]), .text(" AS "), .columnType(storage), .text(")")])
            }
            return "(\(SQL.joined(cells, separator: ", ")))"
        }
        let names = (["k", "e"] + columns.indices.map { "c\($0)" }).map { SQL(segments: [.identifier($0)]) }
        return """
            UPDATE \(identifier: schema.table) AS \(identifier: target) SET \(SQL.joined(assignments, separator: ", ")) \
            FROM (VALUES \(SQL.joined(tuples, separator: ", "))) AS \(identifier: source) (\(SQL.joined(names, separator: ", "))) \
            WHERE \(identifier: target).\(identifier: schema.primaryKeyColumn) = \(identifier: source).\(identifier: "k") \
            AND \(identifier: target).\(identifier: schema.versionColumn) = \(identifier: source).\(identifier: "e") \
            RETURNING \(identifier: target).\(identifier: schema.primaryKeyColumn)
            """
    }
}
