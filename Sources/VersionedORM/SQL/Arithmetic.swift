// Arithmetic on numeric expressions, for atomic updates (`$0.balance -= 10` becomes `"balance" - ?`).

/// A type whose column holds a number, so arithmetic applies.
public protocol SQLNumericValue {}
extension Int: SQLNumericValue {}
extension Int32: SQLNumericValue {}
extension Int64: SQLNumericValue {}
extension Double: SQLNumericValue {}
extension Optional: SQLNumericValue where Wrapped: SQLNumericValue {}

private func arithmetic<V>(_ lhs: SQLExpression<V>, _ op: String, _ rhs: SQL) -> SQLExpression<V> {
    SQLExpression("(\(lhs.sql) \(unsafeRaw: op) \(rhs))")
}

/// `(lhs + ?)` with the value bound, computed by the database.
public func + <V: DatabaseValueConvertible & SQLNumericValue>(lhs: SQLExpression<V>, rhs: V) -> SQLExpression<V> {
    arithmetic(lhs, "+", SQLExpression.value(rhs).sql)
}
/// `(lhs - ?)` with the value bound, computed by the database.
public func - <V: DatabaseValueConvertible & SQLNumericValue>(lhs: SQLExpression<V>, rhs: V) -> SQLExpression<V> {
    arithmetic(lhs, "-", SQLExpression.value(rhs).sql)
}
/// `(lhs * ?)` with the value bound, computed by the database.
public func * <V: DatabaseValueConvertible & SQLNumericValue>(lhs: SQLExpression<V>, rhs: V) -> SQLExpression<V> {
    arithmetic(lhs, "*", SQLExpression.value(rhs).sql)
}
/// Integer columns divide as integers on both databases (truncating toward zero).
public func / <V: DatabaseValueConvertible & SQLNumericValue>(lhs: SQLExpression<V>, rhs: V) -> SQLExpression<V> {
    arithmetic(lhs, "/", SQLExpression.value(rhs).sql)
}

/// `(lhs + rhs)` between two numeric expressions of the same type.
public func + <V: SQLNumericValue>(lhs: SQLExpression<V>, rhs: SQLExpression<V>) -> SQLExpression<V> { arithmetic(lhs, "+", rhs.sql) }
/// `(lhs - rhs)` between two numeric expressions of the same type.
public func - <V: SQLNumericValue>(lhs: SQLExpression<V>, rhs: SQLExpression<V>) -> SQLExpression<V> { arithmetic(lhs, "-", rhs.sql) }
/// `(lhs * rhs)` between two numeric expressions of the same type.
public func * <V: SQLNumericValue>(lhs: SQLExpression<V>, rhs: SQLExpression<V>) -> SQLExpression<V> { arithmetic(lhs, "*", rhs.sql) }
/// `(lhs / rhs)` between two numeric expressions of the same type; integer columns divide as integers
/// (truncating toward zero).
public func / <V: SQLNumericValue>(lhs: SQLExpression<V>, rhs: SQLExpression<V>) -> SQLExpression<V> { arithmetic(lhs, "/", rhs.sql) }

/// Replaces `lhs` with `(lhs + ?)`: in ``ColumnAssignments``, `$0.views += 1` sets the column to its value
/// in the row plus 1, computed by the database.
public func += <V: DatabaseValueConvertible & SQLNumericValue>(lhs: inout SQLExpression<V>, rhs: V) { lhs = lhs + rhs }
/// Replaces `lhs` with `(lhs - ?)`, the value bound: `$0.balance -= 10` in ``ColumnAssignments``.
public func -= <V: DatabaseValueConvertible & SQLNumericValue>(lhs: inout SQLExpression<V>, rhs: V) { lhs = lhs - rhs }
/// Replaces `lhs` with `(lhs * ?)`, the value bound.
public func *= <V: DatabaseValueConvertible & SQLNumericValue>(lhs: inout SQLExpression<V>, rhs: V) { lhs = lhs * rhs }
/// Replaces `lhs` with `(lhs / ?)`, the value bound; integer columns divide as integers.
public func /= <V: DatabaseValueConvertible & SQLNumericValue>(lhs: inout SQLExpression<V>, rhs: V) { lhs = lhs / rhs }

extension SQLExpression where Value: ExpressibleByNilLiteral {
    /// SQL NULL, for assigning to an optional column: `$0.note = .null`.
    public static var null: SQLExpression<Value> { SQLExpression("NULL") }
}
