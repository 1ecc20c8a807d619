// Comparison and logic operators on typed expressions. Each result is parenthesised, so nesting never depends
// on SQL operator precedence.

private func binary<L, R, Result>(_ lhs: SQLExpression<L>, _ op: String, _ rhs: SQLExpression<R>) -> SQLExpression<Result> {
    SQLExpression("(\(lhs.sql) \(unsafeRaw: op) \(rhs.sql))")
}

/// `column = value`, or `column IS NULL` when the value is nil.
public func == <V: DatabaseValueConvertible>(lhs: SQLExpression<V>, rhs: V) -> SQLExpression<Bool> {
    let value = rhs.databaseValue
    if value.isNull { return SQLExpression("(\(lhs.sql) IS NULL)") }
    return binary(lhs, "=", SQLExpression<V>(SQL(segments: [.value(value)])))
}

/// `column <> value`, or `column IS NOT NULL` when the value is nil.
public func != <V: DatabaseValueConvertible>(lhs: SQLExpression<V>, rhs: V) -> SQLExpression<Bool> {
    let value = rhs.databaseValue
    if value.isNull { return SQLExpression("(\(lhs.sql) IS NOT NULL)") }
    return binary(lhs, "<>", SQLExpression<V>(SQL(segments: [.value(value)])))
}

/// `(lhs < ?)` with the value bound. NULL on either side, a nil value included, matches no row.
public func < <V: DatabaseValueConvertible>(lhs: SQLExpression<V>, rhs: V) -> SQLExpression<Bool> {
    binary(lhs, "<", .value(rhs))
}

/// `(lhs <= ?)` with the value bound. NULL on either side, a nil value included, matches no row.
public func <= <V: DatabaseValueConvertible>(lhs: SQLExpression<V>, rhs: V) -> SQLExpression<Bool> {
    binary(lhs, "<=", .value(rhs))
}

/// `(lhs > ?)` with the value bound. NULL on either side, a nil value included, matches no row.
public func > <V: DatabaseValueConvertible>(lhs: SQLExpression<V>, rhs: V) -> SQLExpression<Bool> {
    binary(lhs, ">", .value(rhs))
}

/// `(lhs >= ?)` with the value bound. NULL on either side, a nil value included, matches no row.
public func >= <V: DatabaseValueConvertible>(lhs: SQLExpression<V>, rhs: V) -> SQLExpression<Bool> {
    binary(lhs, ">=", .value(rhs))
}

/// Column-to-column comparisons: both sides must have the same Swift type.
public func == <V>(lhs: SQLExpression<V>, rhs: SQLExpression<V>) -> SQLExpression<Bool> { binary(lhs, "=", rhs) }
/// `(lhs <> rhs)` between two expressions of the same type; NULL on either side matches no row, as in SQL.
public func != <V>(lhs: SQLExpression<V>, rhs: SQLExpression<V>) -> SQLExpression<Bool> { binary(lhs, "<>", rhs) }
/// A column against an optional column of the same type: a foreign key (`Int64`) against a generated key
/// (`Int64?`), as joins compare them. NULL on either side matches nothing, as in SQL.
public func == <V>(lhs: SQLExpression<V>, rhs: SQLExpression<V?>) -> SQLExpression<Bool> { binary(lhs, "=", rhs) }
/// `(lhs = rhs)` with the optional column on the left; NULL on either side matches nothing.
public func == <V>(lhs: SQLExpression<V?>, rhs: SQLExpression<V>) -> SQLExpression<Bool> { binary(lhs, "=", rhs) }
/// `(lhs < rhs)` between two expressions of the same type.
public func < <V>(lhs: SQLExpression<V>, rhs: SQLExpression<V>) -> SQLExpression<Bool> { binary(lhs, "<", rhs) }
/// `(lhs <= rhs)` between two expressions of the same type.
public func <= <V>(lhs: SQLExpression<V>, rhs: SQLExpression<V>) -> SQLExpression<Bool> { binary(lhs, "<=", rhs) }
/// `(lhs > rhs)` between two expressions of the same type.
public func > <V>(lhs: SQLExpression<V>, rhs: SQLExpression<V>) -> SQLExpression<Bool> { binary(lhs, ">", rhs) }
/// `(lhs >= rhs)` between two expressions of the same type.
public func >= <V>(lhs: SQLExpression<V>, rhs: SQLExpression<V>) -> SQLExpression<Bool> { binary(lhs, ">=", rhs) }

/// `(lhs AND rhs)`.
public func && (lhs: SQLExpression<Bool>, rhs: SQLExpression<Bool>) -> SQLExpression<Bool> { binary(lhs, "AND", rhs) }
/// `(lhs OR rhs)`.
public func || (lhs: SQLExpression<Bool>, rhs: SQLExpression<Bool>) -> SQLExpression<Bool> { binary(lhs, "OR", rhs) }

/// `(NOT operand)`. NOT of a NULL comparison is still NULL: `!($0.note == "x")` does not match rows whose
/// note is NULL.
public prefix func ! (operand: SQLExpression<Bool>) -> SQLExpression<Bool> {
    SQLExpression("(NOT \(operand.sql))")
}

extension SQLExpression where Value: DatabaseValueConvertible {
    /// `column IN (?, ?, …)`; an empty list matches no row. Each length is another statement text, so a
    /// statement with an `IN` list is not kept prepared.
    public func `in`<S: Sequence>(_ values: S) -> SQLExpression<Bool> where S.Element == Value {
        let fragments = values.map { SQL(segments: [.value($0.databaseValue)]) }
        if fragments.isEmpty { return SQLExpression<Bool>("(1 = 0)") }
        return SQLExpression<Bool>(SQL("(\(sql) IN (\(SQL.joined(fragments, separator: ", "))))").markedOneOff())
    }

    /// `column IS NULL`.
    public var isNull: SQLExpression<Bool> { SQLExpression<Bool>("(\(sql) IS NULL)") }

    /// `column IS NOT NULL`.
    public var isNotNull: SQLExpression<Bool> { SQLExpression<Bool>("(\(sql) IS NOT NULL)") }

    /// This expression as an `ASC` ORDER BY term. NULLs sort first on SQLite and last on PostgreSQL.
    public var ascending: SQLOrdering { SQLOrdering(expression: sql, descending: false) }
    /// This expression as a `DESC` ORDER BY term. NULLs sort last on SQLite and first on PostgreSQL.
    public var descending: SQLOrdering { SQLOrdering(expression: sql, descending: true) }
}

/// A type whose column holds text, so LIKE applies.
public protocol SQLTextValue {}
extension String: SQLTextValue {}
extension Optional: SQLTextValue where Wrapped: SQLTextValue {}

extension SQLExpression where Value: SQLTextValue {
    /// `column LIKE pattern ESCAPE '\'`; `%` and `_` are wildcards, a backslash escapes them.
    public func like(_ pattern: String) -> SQLExpression<Bool> {
        SQLExpression<Bool>("(\(sql) LIKE \(pattern) ESCAPE '\\')")
    }
}

/// One ORDER BY term.
public struct SQLOrdering: Sendable {
    /// The expression to sort by.
    public let expression: SQL
    /// True for `DESC`, false for `ASC`.
    public let descending: Bool
}
