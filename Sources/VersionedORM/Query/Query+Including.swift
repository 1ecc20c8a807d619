extension Query {
    /// Each row of this query with its children: the rows of `child` whose `foreignKey` holds the row's key,
    /// ordered by their own key. One statement for the rows and one per 1,000 of them for the children, however
    /// many there are (no query per row).
    ///
    /// ```swift
    /// let orders = try PurchaseOrder.where { $0.customer == "ada" }
    ///     .fetchAll(tx, including: OrderLine.self, by: \.orderID)    // [(PurchaseOrder, [OrderLine])]
    /// ```
    ///
    /// The foreign key has the parent's key type (a non-optional `Int64` for a generated key). The children are
    /// separate values with their own versions; to make a change to them count as a change to the parent, see
    /// ``Transaction/changingChildren(of:_:)``.
    public func fetchAll<Child: Model>(
        _ transaction: Transaction,
        including child: Child.Type,
        by foreignKey: KeyPath<Child.ColumnPaths, KeyPath<Child, M.Key>>
    ) throws -> [(M, [Child])] {
        let parents = try fetchAll(transaction)
        let schema = transaction.schema(for: M.self)
        let keys = parents.compactMap { schema.key(of: $0) }
        let reference = TableColumns<Child>()[dynamicMember: foreignKey]
        let property = Child.ColumnPaths()[keyPath: foreignKey]
        var children: [M.Key: [Child]] = [:]
        for start in stride(from: 0, to: keys.count, by: 1_000) {
            let chunk = keys[start..<min(start + 1_000, keys.count)]
            let query = Query<Child>().where { _ in reference.in(chunk) }
                .order { _ in [reference.ascending, Query<Child>.keyColumn.ascending] }
            for value in try query.fetchAll(transaction) { children[value[keyPath: property], default: []].append(value) }
        }
        return parents.map { parent in (parent, schema.key(of: parent).flatMap { children[$0] } ?? []) }
    }
}
