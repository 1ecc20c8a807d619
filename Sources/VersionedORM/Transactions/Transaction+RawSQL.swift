/// Raw SQL in a transaction: values are always bound, names always quoted; statements are not kept prepared.
extension Transaction {
    /// Runs a statement and returns the number of rows it changed. Interpolated values are bound parameters.
    /// Raw statements are not kept prepared (their text is new each time, so preparing them would only fill the cache).
    @discardableResult
    public func execute(_ sql: SQL) throws -> Int {
        try send(renderRaw(sql), raw: true)
    }

    /// Runs a query and decodes each row as a model (the query selects the model's columns in schema order).
    public func fetchAll<M: Model>(_ type: M.Type, _ sql: SQL) throws -> [M] {
        var models: [M] = []
        try query(renderRaw(sql), raw: true) { row in models.append(try M.decode(&row)) }
        return models
    }

    /// Runs a query and returns every row's values.
    public func fetchRows(_ sql: SQL) throws -> [[DatabaseValue]] {
        var rows: [[DatabaseValue]] = []
        try query(renderRaw(sql), raw: true) { row in rows.append(try row.values()) }
        return rows
    }

    /// Runs a query and returns the first column of the first row, or nil when there is no row.
    public func fetchValue<V: DatabaseValueConvertible>(_ type: V.Type, _ sql: SQL) throws -> V? {
        var value: V?
        var seen = false
        try query(renderRaw(sql), raw: true) { row in
            if !seen {
                value = try row.decode(V.self, at: 0)
                seen = true
            }
        }
        return value
    }

    /// Raw SQL from the caller: most of it runs once, so drivers do not keep it prepared.
    func renderRaw(_ sql: SQL) throws -> RenderedSQL {
        var rendered = try render(sql)
        rendered.caching = .transient
        return rendered
    }
}
