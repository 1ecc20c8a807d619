/// A SQL expression whose result has the Swift type `Value`.
///
/// The type parameter is what makes `$0.balance == "ten"` fail to compile: comparisons take a value of the
/// column's own type.
public struct SQLExpression<Value>: Sendable {
    /// The expression's SQL fragment, with its bound values.
    public let sql: SQL

    /// Wraps a fragment as an expression of type `Value`, on trust: nothing checks the SQL against the type.
    public init(_ sql: SQL) {
        self.sql = sql
    }

    /// A bound value as an expression.
    public static func value(_ value: Value) -> SQLExpression<Value> where Value: DatabaseValueConvertible {
        SQLExpression(SQL(segments: [.value(value.databaseValue)]))
    }
}

/// The columns of a model as typed expressions: `$0.balance` inside a filter. The names allowed are the members
/// of the model's ``Model/ColumnPaths``: with the `@Model` macro only mapped properties, so `$0.notAColumn` does
/// not compile.
@dynamicMemberLookup
public struct TableColumns<M: Model>: Sendable {
    /// The columns of `M`'s table, unqualified (`"balance"`); queries make one for their closures.
    public init() {}

    /// `$0.balance`: the column's quoted name, typed as the property. A property the schema does not map
    /// makes the statement throw a ``SchemaError`` when it is rendered.
    public subscript<Value: DatabaseValueConvertible>(
        dynamicMember member: KeyPath<M.ColumnPaths, KeyPath<M, Value>>
    ) -> SQLExpression<Value> {
        Self.expression(for: M.ColumnPaths()[keyPath: member])
    }

    static func expression<Value>(for keyPath: KeyPath<M, Value>) -> SQLExpression<Value> {
        guard let name = M.schema.columnName(for: keyPath) else {
            return SQLExpression(SQL(segments: [.invalid(
                "\(M.self): the property \(keyPath) is not a column of the schema")]))
        }
        return SQLExpression(SQL(segments: [.identifier(name)]))
    }
}
