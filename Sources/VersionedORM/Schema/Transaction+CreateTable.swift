extension Transaction {
    /// Creates the model's table: the primary key (auto-generated for an optional `Int64` key, otherwise of the
    /// key's own type), one column per schema column (NOT NULL unless the Swift type is optional, then its
    /// ``ColumnConstraints``: UNIQUE, DEFAULT, REFERENCES) and the version column, `NOT NULL DEFAULT 1`; then the
    /// schema's indexes, in the same transaction. With `ifNotExists`, an existing table and existing indexes of
    /// the same names are left as they are.
    ///
    /// Throws ``SchemaError`` before sending anything when a default cannot be written as a literal or a
    /// reference does not fit (another key type, `SET NULL` on a non-optional column).
    public func createTable<M: Model>(_ type: M.Type, ifNotExists: Bool = false) throws {
        try requireWritable("createTable")
        let schema = self.schema(for: M.self)
        try schema.validate()
        let keyDeclaration = switch schema.keyGeneration {
        case .database: dialect.generatedPrimaryKeyDeclaration
        case .client: dialect.columnTypeSQL(for: M.Key.columnType.storage) + " PRIMARY KEY NOT NULL"
        }
        var definitions: [SQL] = ["\(identifier: schema.primaryKeyColumn) \(unsafeRaw: keyDeclaration)"]
        for column in schema.columns {
            definitions.append(try columnDefinition(column, of: schema))
        }
        definitions.append(versionColumnDefinition(schema.versionColumn))
        let prefix = ifNotExists ? "CREATE TABLE IF NOT EXISTS" : "CREATE TABLE"
        let indexPrefix = ifNotExists ? "INDEX IF NOT EXISTS" : "INDEX"
        try execute("\(unsafeRaw: prefix) \(identifier: schema.table) (\(SQL.joined(definitions, separator: ", ")))")
        for index in schema.resolvedIndexes {
            let columns = SQL.joined(index.columns.map { "\(identifier: $0)" }, separator: ", ")
            try execute("""
                CREATE \(unsafeRaw: index.isUnique ? "UNIQUE " : "")\(unsafeRaw: indexPrefix) \
                \(identifier: index.name(onTable: schema.table)) ON \(identifier: schema.table) (\(columns))
                """)
        }
    }

    private func columnDefinition<M: Model>(_ column: AnyColumn<M>, of schema: Schema<M>) throws -> SQL {
        var text = dialect.columnTypeSQL(for: column.type.storage)
        if !column.type.isNullable { text += " NOT NULL" }
        let constraints = column.constraints
        if constraints.isUnique { text += " UNIQUE" }
        if let value = constraints.defaultValue {
            // The one place a value is written into SQL: neither database takes a bound parameter in DDL
            // (SQLite wants a constant default, PostgreSQL binds nothing in utility statements). The value comes
            // from the schema's declaration, never from a request, and the dialect quotes it as a literal.
            do {
                text += " DEFAULT " + (try dialect.literalSQL(value))
            } catch {
                throw SchemaError("\(schema.modelName): the default of column '\(column.name)' cannot be declared: \(error)")
            }
        }
        var definition: SQL = "\(identifier: column.name) \(unsafeRaw: text)"
        if let reference = constraints.foreignKey {
            let referenced = reference.referencedKeyType.storage
            guard referenced == column.type.storage else {
                throw SchemaError("\(schema.modelName): column '\(column.name)' stores \(column.type.storage) but "
                    + "references \(reference.parentName)'s \(referenced) key")
            }
            if (reference.onDelete == .setNull || reference.onUpdate == .setNull) && !column.type.isNullable {
                throw SchemaError("\(schema.modelName): column '\(column.name)' cannot be SET NULL: it is not optional")
            }
            try Identifier.validate(reference.referencedTable)
            try Identifier.validate(reference.referencedColumn)
            definition = """
                \(definition) REFERENCES \(identifier: reference.referencedTable) (\(identifier: reference.referencedColumn)) \
                ON DELETE \(unsafeRaw: reference.onDelete.rawValue) ON UPDATE \(unsafeRaw: reference.onUpdate.rawValue)
                """
        }
        return definition
    }

    /// Adds the version column to an existing table that lacks it; existing rows get version 1. Returns false,
    /// sending nothing more, when the column is already there.
    @discardableResult
    public func addVersionColumn<M: Model>(to type: M.Type) throws -> Bool {
        try requireWritable("addVersionColumn")
        let schema = self.schema(for: M.self)
        try schema.validate()
        let exists = try fetchValue(Int64.self, dialect.columnExistsQuery(table: schema.table, column: schema.versionColumn))
        if (exists ?? 0) != 0 { return false }
        try execute("ALTER TABLE \(identifier: schema.table) ADD COLUMN \(versionColumnDefinition(schema.versionColumn))")
        return true
    }

    /// Drops the model's table.
    public func dropTable<M: Model>(_ type: M.Type, ifExists: Bool = false) throws {
        try requireWritable("dropTable")
        try schema(for: M.self).validate()
        try execute("\(unsafeRaw: ifExists ? "DROP TABLE IF EXISTS" : "DROP TABLE") \(identifier: schema(for: M.self).table)")
    }

    private func versionColumnDefinition(_ name: String) -> SQL {
        "\(identifier: name) \(unsafeRaw: dialect.columnTypeSQL(for: .integer64)) NOT NULL DEFAULT 1"
    }
}
