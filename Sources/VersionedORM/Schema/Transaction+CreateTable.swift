extension Transaction {
    /// Creates the model's table: the primary key (auto-generated for an optional `Int64` key, otherwise of the
    /// key's own type), one column per schema column (NOT NULL unless the Swift type is optional) and the version
    /// column, `NOT NULL DEFAULT 1`.
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
            let type = dialect.columnTypeSQL(for: column.type.storage)
            let nullability = column.type.isNullable ? "" : " NOT NULL"
            definitions.append("\(identifier: column.name) \(unsafeRaw: type + nullability)")
        }
        definitions.append(versionColumnDefinition(schema.versionColumn))
        let prefix = ifNotExists ? "CREATE TABLE IF NOT EXISTS" : "CREATE TABLE"
        try execute("\(unsafeRaw: prefix) \(identifier: schema.table) (\(SQL.joined(definitions, separator: ", ")))")
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
