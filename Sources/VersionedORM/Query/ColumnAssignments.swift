/// The SET list of an atomic update, written as Swift assignments on expressions:
///
/// ```swift
/// $0.balance -= 10                 // "balance" = ("balance" - ?)
/// $0.bonus = $0.balance * 2        // one column from another; right-hand sides see the row before the update
/// $0.note = .null                  // NULL
/// $0.owner = .value("ada")         // a plain value
/// ```
///
/// Reading a column you already assigned gives the new expression, so `$0.balance -= 1` twice subtracts 2.
@dynamicMemberLookup
public struct ColumnAssignments<M: Model> {
    private(set) var assignments: [(name: String, value: SQL)] = []
    private(set) var problems: [String] = []
    /// The schema positions of the assigned columns.
    private(set) var columnIndices: Set<Int> = []

    init() {}

    /// `$0.column`: reading gives the column's expression, or the one already assigned to it; assigning adds it to
    /// the SET list. Assigning the primary key, the version or an unmapped property makes the update throw a
    /// ``SchemaError`` before anything is sent.
    public subscript<Value: DatabaseValueConvertible>(
        dynamicMember member: KeyPath<M.ColumnPaths, KeyPath<M, Value>>
    ) -> SQLExpression<Value> {
        get {
            let keyPath = M.ColumnPaths()[keyPath: member]
            let schema = M.schema
            if let index = schema.columnIndex(for: keyPath),
               let assigned = assignments.last(where: { $0.name == schema.columns[index].name }) {
                return SQLExpression(assigned.value)
            }
            return TableColumns<M>.expression(for: keyPath)
        }
        set {
            let keyPath = M.ColumnPaths()[keyPath: member]
            let schema = M.schema
            guard let index = schema.columnIndex(for: keyPath) else {
                problems.append(keyPath as AnyKeyPath == schema.primaryKey as AnyKeyPath || keyPath == schema.version
                    ? "an update cannot assign the primary key or the version; the library owns them"
                    : "\(M.self): the property \(keyPath) is not a column of the schema")
                return
            }
            let name = schema.columns[index].name
            assignments.removeAll { $0.name == name }
            assignments.append((name, newValue.sql))
            columnIndices.insert(index)
        }
    }
}
