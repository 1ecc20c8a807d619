/// The columns of one table of a join as typed expressions, qualified by the table's alias in the statement:
/// `line.quantity` is `"t1"."quantity"`. Like ``TableColumns``, only the model's mapped properties can be named.
@dynamicMemberLookup
public struct JoinedColumns<M: Model>: Sendable {
    let alias: String

    init(alias: String) {
        self.alias = alias
    }

    /// `line.quantity`: the column qualified by the table's alias (`"t1"."quantity"`), typed as the property.
    public subscript<Value: DatabaseValueConvertible>(
        dynamicMember member: KeyPath<M.ColumnPaths, KeyPath<M, Value>>
    ) -> SQLExpression<Value> {
        let keyPath = M.ColumnPaths()[keyPath: member]
        guard let name = M.schema.columnName(for: keyPath) else {
            return SQLExpression(SQL(segments: [.invalid("\(M.self): the property \(keyPath) is not a column of the schema")]))
        }
        return SQLExpression(SQL(segments: [.identifier(alias), .text("."), .identifier(name)]))
    }
}
