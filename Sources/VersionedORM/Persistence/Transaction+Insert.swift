extension Transaction {
    /// Inserts a value with version 1 and reads the generated primary key back (RETURNING).
    ///
    /// On success the value holds its new key and version 1. A value that already has a primary key is inserted
    /// with that key. On failure (a constraint, say) the value is unchanged.
    public func insert<M: Model>(_ value: inout M) throws {
        try requireWritable("insert")
        let schema = M.schema
        try schema.validate()
        let givenKey = value[keyPath: schema.primaryKey]
        let text = try schema.statementTexts.text(dialect: dialect, shape: .insert(withKey: givenKey != nil)) {
            var names: [SQL] = []
            var values: [SQL] = []
            if givenKey != nil {
                names.append("\(identifier: schema.primaryKeyColumn)")
                values.append("\(Int64(0))")
            }
            for column in schema.columns {
                names.append("\(identifier: column.name)")
                values.append("\(Int64(0))")
            }
            names.append("\(identifier: schema.versionColumn)")
            values.append("1")
            return """
                INSERT INTO \(identifier: schema.table) (\(SQL.joined(names, separator: ", "))) \
                VALUES (\(SQL.joined(values, separator: ", "))) RETURNING \(identifier: schema.primaryKeyColumn)
                """
        }
        var binds: [DatabaseValue] = []
        binds.reserveCapacity(schema.columns.count + 1)
        if let givenKey { binds.append(.integer(givenKey)) }
        for column in schema.columns { binds.append(column.value(in: value)) }
        var generated: Int64?
        try query(RenderedSQL(text: text, binds: binds)) { row in generated = try row.decode(Int64.self, at: 0) }
        guard let generated else {
            throw PersistenceError.unexpectedRowCount(model: String(describing: M.self), operation: "insert", count: 0)
        }
        value[keyPath: schema.primaryKey] = generated
        value[keyPath: schema.version] = 1
    }
}
