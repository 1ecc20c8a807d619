extension Transaction {
    /// Inserts a value with version 1 and reads the generated primary key back (RETURNING).
    ///
    /// On success the value holds its new key and version 1. A value that already has a primary key is inserted
    /// with that key. On failure (a constraint, say) the value is unchanged.
    ///
    /// The key property is a `let`, so the library cannot assign it: the inserted value is rebuilt through the
    /// model's `init(row:)` from what was written plus the key, exactly as a later read would build it.
    public func insert<M: Model>(_ value: inout M) throws {
        try requireWritable("insert")
        let schema = M.schema
        try schema.validate()
        let givenKey = value[keyPath: schema.primaryKey]
        let prepared = try PersistenceStatement(.insert(withKey: givenKey != nil)).prepared(for: schema, dialect: dialect)
        let statement = prepared.statement(for: value, schema: schema, key: givenKey ?? 0)
        var generated: Int64?
        try query(statement) { row in generated = try row.decode(Int64.self, at: 0) }
        guard let generated else {
            throw PersistenceError.unexpectedRowCount(model: String(describing: M.self), operation: .insert, count: 0)
        }
        var version: Int64 = 1
        if versionLedger.isActive {
            version = try versionAfterInsert(of: .init(table: schema.table, key: generated), schema: schema)
        }
        // Key, columns in schema order, version: the values already bound, found by their slots.
        let cursor = InsertedRowCursor(key: generated, binds: statement.binds, columnCount: schema.columns.count,
                                       positions: prepared.columnPositions, version: version)
        var row = Row(cursor: cursor)
        value = try M.decode(&row)
    }

    /// SQLite hands a key out again when the savepoint that inserted it rolled back (its sequence rolls back
    /// too). A value from that insert still holds the key with version 1, so a row that reuses the key moves
    /// past the versions burned for it before anyone can save over it.
    private func versionAfterInsert<M>(of row: SavepointVersionLedger.RowKey, schema: Schema<M>) throws -> Int64 {
        var version: Int64 = 1
        if let floor = versionLedger.floor(for: row) {
            version = try nextVersion(of: row, after: floor, model: String(describing: M.self))
            let update: SQL = """
                UPDATE \(identifier: row.table) SET \(identifier: schema.versionColumn) = \(version) \
                WHERE \(identifier: schema.primaryKeyColumn) = \(row.key)
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
    private let key: Int64
    private let binds: [DatabaseValue]
    private let positions: [Int]
    private let version: Int64
    let columnCount: Int

    init(key: Int64, binds: [DatabaseValue], columnCount: Int, positions: [Int], version: Int64) {
        self.key = key
        self.binds = binds
        self.positions = positions
        self.version = version
        self.columnCount = columnCount + 2
    }

    func value(at index: Int) throws -> DatabaseValue {
        if index == 0 { return .integer(key) }
        if index == columnCount - 1 { return .integer(version) }
        // Every data column is bound by an insert; a missing one would be a shape bug, read as NULL.
        let column = index - 1
        guard column < positions.count, positions[column] >= 0 else { return .null }
        return binds[positions[column]]
    }
}
