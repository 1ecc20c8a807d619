extension Query {
    /// One aggregate over the query's rows: `try Account.where { $0.note == nil }.aggregate(tx) { $0.balance.sum }`.
    /// The query's filter applies; an order, a limit or a row lock is refused.
    public func aggregate<V>(_ transaction: Transaction, _ value: (TableColumns<M>) -> SQLAggregate<V>) throws -> V {
        try transaction.requireActive()
        let schema = transaction.schema(for: M.self)
        try schema.validate()
        var statement: SQL = "SELECT \(value(TableColumns()).sql) FROM \(identifier: schema.table)"
        if let filter = try filterClause(for: "aggregate") { statement.append(filter) }
        var result: V?
        try transaction.select(transaction.render(statement)) { row in result = try row.decode(V.self, at: 0) }
        guard let result else { throw RowDecodingError(model: M.schema.modelName, columnIndex: nil,
                                                       reason: "an aggregate returned no row") }
        return result
    }

    /// An aggregate per group, ordered by the group's key:
    /// `try Account.all().aggregate(tx, groupedBy: { $0.owner }) { $0.balance.sum }` gives each owner's total.
    public func aggregate<Key: DatabaseValueConvertible, V>(
        _ transaction: Transaction,
        groupedBy key: (TableColumns<M>) -> SQLExpression<Key>,
        _ value: (TableColumns<M>) -> SQLAggregate<V>
    ) throws -> [(key: Key, value: V)] {
        try transaction.requireActive()
        let schema = transaction.schema(for: M.self)
        try schema.validate()
        let keySQL = key(TableColumns()).sql
        var statement: SQL = "SELECT \(keySQL), \(value(TableColumns()).sql) FROM \(identifier: schema.table)"
        if let filter = try filterClause(for: "aggregate") { statement.append(filter) }
        statement.append(" GROUP BY \(keySQL) ORDER BY \(keySQL)")
        var groups: [(key: Key, value: V)] = []
        try transaction.select(transaction.render(statement)) { row in
            groups.append((try row.decode(Key.self, at: 0), try row.decode(V.self, at: 1)))
        }
        return groups
    }
}
