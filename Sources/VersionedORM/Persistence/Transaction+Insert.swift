extension Transaction {
    /// Inserts a value with version 1 and reads its key back: with RETURNING, or on SQLite, when the key is the
    /// table's rowid (`INTEGER PRIMARY KEY`, as ``Transaction/createTable(_:ifNotExists:)`` declares it), as the inserted
    /// rowid, which spares SQLite the temporary table RETURNING fills.
    ///
    /// On success the value holds its key and version 1, and its dates rounded to the microsecond the database
    /// stores, so it equals the value a read returns. A database-generated key is filled in; a value that
    /// already has a key (a client-chosen `UUID` or `String`, or an explicit `Int64`) is inserted with it. On
    /// failure (a constraint, say) the value is unchanged.
    ///
    /// The key property is a `let`, so the library cannot assign it: the inserted value is rebuilt through the
    /// model's `init(row:)` from what was written plus the key, exactly as a later read would build it.
    public func insert<M: Model>(_ value: inout M) throws {
        try requireWritable("insert")
        let schema = self.schema(for: M.self)
        try schema.validate()
        let givenKey = schema.key(of: value)
        var returned: M.Key?
        var statement: RenderedSQL?
        var prepared: PersistenceStatement.Prepared?
        if givenKey == nil, mayReadInsertedRowIDs {
            // A generated key that is the table's rowid is read as the inserted rowid: no RETURNING.
            let rowIDInsert = try PersistenceStatement(.insert(rows: 1, withKey: false, returningKey: false))
                .prepared(for: schema, dialect: dialect)
            let rowIDStatement = try rowIDInsert.statement(for: value, schema: schema, key: .null).checkedForStorage()
            if let (changed, key) = try insertReadingRowID(rowIDStatement, table: schema.table,
                                                           keyColumn: schema.primaryKeyColumn) {
                guard changed == 1 else {
                    throw PersistenceError.unexpectedRowCount(model: M.schema.modelName, operation: .insert, count: changed)
                }
                // As RETURNING would report a NULL key (a table whose key SQLite does not generate).
                guard let key else {
                    throw RowDecodingError(model: M.schema.modelName, columnIndex: 0,
                                           reason: "the inserted row's key is NULL: the database generated none")
                }
                returned = try M.Key.fromDatabaseValue(.integer(key))
                (statement, prepared) = (rowIDStatement, rowIDInsert)
            }
        }
        if returned == nil {
            let returning = try PersistenceStatement(.insert(rows: 1, withKey: givenKey != nil))
                .prepared(for: schema, dialect: dialect)
            // Checked and rounded before sending, so the inserted value holds what the database holds.
            let returningStatement = try returning.statement(for: value, schema: schema,
                                                             key: givenKey?.databaseValue ?? .null).checkedForStorage()
            try query(returningStatement) { row in returned = try row.decode(M.Key.self, at: 0) }
            (statement, prepared) = (returningStatement, returning)
        }
        guard let returned, let statement, let prepared else {
            throw PersistenceError.unexpectedRowCount(model: M.schema.modelName, operation: .insert, count: 0)
        }
        let version = versionLedger.isActive ? try versionAfterInsert(of: AnyPrimaryKey(returned), schema: schema) : 1
        // Key, columns in schema order, version: the values already bound, found by their slots.
        let cursor = InsertedRowCursor(key: returned.databaseValue, values: statement.binds,
                                       columnCount: schema.columns.count, positions: prepared.columnPositions,
                                       version: version)
        var row = Row(cursor: cursor)
        value = try M.decode(&row)
    }

    /// Inserts many values with version 1 in multi-row `INSERT … VALUES (…), (…) RETURNING key` statements, as
    /// many rows each as the database's bound-parameter limit allows (at most 1,000), and reads every key back.
    ///
    /// On success each value holds its key and version 1, in the order given, and its dates rounded to the
    /// microsecond as stored. Every value is checked before the first statement is sent, so a value that cannot be stored (a NaN, a date out of range) throws and
    /// nothing is written. A failure in the database (a duplicate key, say) fails the transaction, which then
    /// rolls back as a whole; the values are unchanged.
    ///
    /// Database-generated keys are matched to the values by their order: the database numbers a statement's
    /// rows in the order of its VALUES list, so the returned keys, sorted, are the values' keys in order. (The
    /// order in which RETURNING emits rows is not specified, on SQLite explicitly; the order of the keys is.)
    public func insert<M: Model>(_ values: inout [M]) throws {
        try requireWritable("insert")
        let schema = self.schema(for: M.self)
        try schema.validate()
        if values.isEmpty { return }
        // Each value's columns are read once, into one flat array (value i's columns at i × columnCount): bound
        // in the statements, then decoded into the inserted values. Checked and rounded here, so no statement is
        // sent when any value cannot be stored.
        let columnCount = schema.columns.count
        var givenKeys: [DatabaseValue] = []
        var columnValues: [DatabaseValue] = []
        givenKeys.reserveCapacity(values.count)
        columnValues.reserveCapacity(values.count * columnCount)
        for index in values.indices {
            givenKeys.append(try schema.key(of: values[index])?.databaseValue.storable() ?? .null)
            for column in 0..<columnCount { columnValues.append(try schema.value(ofColumn: column, in: values[index]).storable()) }
        }
        let rows = PersistenceStatement.InsertRows(keys: givenKeys, columns: columnValues, columnCount: columnCount)
        // A database-generated model may mix values without a key and values with one; each kind is one shape.
        let withKey = givenKeys.indices.filter { !givenKeys[$0].isNull }
        let withoutKey = givenKeys.indices.filter { givenKeys[$0].isNull }
        var statements: [(statement: RenderedSQL, rows: ArraySlice<Int>, generated: Bool)] = []
        for (positions, generated) in [(withKey, false), (withoutKey, true)] where !positions.isEmpty {
            let perRow = columnCount + (generated ? 0 : 1)
            let perStatement = max(1, min(PersistenceStatement.maxInsertRows, dialect.maxBoundParameters / max(perRow, 1)))
            for start in stride(from: 0, to: positions.count, by: perStatement) {
                let chunk = positions[start..<min(start + perStatement, positions.count)]
                let isFull = chunk.count == perStatement
                let prepared = try PersistenceStatement(.insert(rows: chunk.count, withKey: !generated))
                    .prepared(for: schema, dialect: dialect, cached: isFull)
                let statement = prepared.statement(rows: rows, chunk, caching: isFull ? .persistent : .transient)
                statements.append((statement, chunk, generated))
            }
        }
        var keys = [DatabaseValue](repeating: .null, count: givenKeys.count)
        for (statement, chunk, generated) in statements {
            var returned: [DatabaseValue] = []
            returned.reserveCapacity(chunk.count)
            try query(statement) { row in
                returned.append(generated ? .integer(try row.decode(Int64.self, at: 0)) : try row.value(at: 0))
            }
            guard returned.count == chunk.count else {
                throw PersistenceError.unexpectedRowCount(model: M.schema.modelName, operation: .insert,
                                                          count: returned.count)
            }
            if generated {
                returned.sort { if case .integer(let left) = $0, case .integer(let right) = $1 { left < right } else { false } }
                for (position, key) in zip(chunk, returned) { keys[position] = key }
            } else {
                for position in chunk { keys[position] = givenKeys[position] }
            }
        }
        var inserted: [M] = []
        inserted.reserveCapacity(values.count)
        // One cursor over the flat values, pointed at each value's columns in turn: decoding reads it only inside
        // M.decode.
        let cursor = InsertedRowCursor(key: .null, values: columnValues, columnCount: columnCount, positions: nil,
                                       version: 1)
        let ledgerActive = versionLedger.isActive
        for position in keys.indices {
            cursor.key = keys[position]
            cursor.base = position * columnCount
            if ledgerActive {
                cursor.version = try versionAfterInsert(of: AnyPrimaryKey(M.Key.fromDatabaseValue(keys[position])),
                                                        schema: schema)
            }
            var decoding = Row(cursor: cursor)
            inserted.append(try M.decode(&decoding))
        }
        values = inserted
    }

    /// SQLite hands a key out again when the savepoint that inserted it rolled back (its sequence rolls back
    /// too). A value from that insert still holds the key with version 1, so a row that reuses the key moves
    /// past the versions burned for it before anyone can save over it.
    private func versionAfterInsert<M>(of key: AnyPrimaryKey, schema: Schema<M>) throws -> Int64 {
        let row = SavepointVersionLedger.RowKey(table: schema.table, key: key)
        var version: Int64 = 1
        if let floor = versionLedger.floor(for: row) {
            version = try nextVersion(of: row, after: floor, model: M.schema.modelName)
            let update: SQL = """
                UPDATE \(identifier: row.table) SET \(identifier: schema.versionColumn) = \(version) \
                WHERE \(identifier: schema.primaryKeyColumn) = \(key: row.key)
                """
            try send(render(update))
        }
        versionLedger.recordWrite(row, primaryKeyColumn: schema.primaryKeyColumn, versionColumn: schema.versionColumn,
                                  version: version)
        return version
    }
}

/// The row an insert wrote, read from the values it bound, through the same decoding path as a database row.
final class InsertedRowCursor: RowCursor {
    var key: DatabaseValue
    let values: [DatabaseValue]
    /// Where this row's columns start in `values` when they are the columns in order (a batch's flat array).
    var base = 0
    /// For each data column, the position of its value in `values`; nil when they are the columns in order.
    private let positions: [Int]?
    var version: Int64
    let columnCount: Int

    init(key: DatabaseValue, values: [DatabaseValue], columnCount: Int, positions: [Int]?, version: Int64) {
        self.key = key
        self.values = values
        self.positions = positions
        self.version = version
        self.columnCount = columnCount + 2
    }

    func value(at index: Int) throws -> DatabaseValue {
        if index == 0 { return key }
        if index == columnCount - 1 { return .integer(version) }
        let column = index - 1
        guard let positions else { return base + column < values.count ? values[base + column] : .null }
        // Every data column is bound by an insert; a missing one would be a shape bug, read as NULL.
        guard column < positions.count, positions[column] >= 0 else { return .null }
        return values[positions[column]]
    }
}
