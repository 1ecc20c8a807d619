import Foundation

/// An aggregate of a query's rows with the Swift type it decodes to: `$0.balance.sum` is an `Int64?` (nil over
/// no rows), `.count` an `Int64`.
public struct SQLAggregate<Value: DatabaseValueConvertible>: Sendable {
    /// The aggregate's SQL (`COUNT(*)`, `CAST(SUM(…) AS …)`), spliced into the SELECT list.
    public let sql: SQL

    init(_ sql: SQL) {
        self.sql = sql
    }

    /// `COUNT(*)`: the number of rows (of the group).
    public static var count: SQLAggregate<Int64> { SQLAggregate<Int64>("COUNT(*)") }
}

/// A column type an aggregate can range over; `Aggregated` is the type without its optional, which SUM, MIN and
/// MAX return as an optional (nil over no rows, or when every value is NULL).
public protocol SQLAggregatable {
    associatedtype Aggregated: DatabaseValueConvertible
}
extension Int: SQLAggregatable { public typealias Aggregated = Int }
extension Int32: SQLAggregatable { public typealias Aggregated = Int32 }
extension Int64: SQLAggregatable { public typealias Aggregated = Int64 }
extension Double: SQLAggregatable { public typealias Aggregated = Double }
extension String: SQLAggregatable { public typealias Aggregated = String }
extension Date: SQLAggregatable { public typealias Aggregated = Date }
extension Optional: SQLAggregatable where Wrapped: SQLAggregatable { public typealias Aggregated = Wrapped.Aggregated }

extension SQLExpression where Value: SQLAggregatable & SQLNumericValue {
    /// `SUM(column)`, cast back to the column's type: PostgreSQL widens integer sums to NUMERIC, and a sum that
    /// does not fit is an error on both databases (never a wrapped or rounded number).
    public var sum: SQLAggregate<Value.Aggregated?> {
        SQLAggregate(SQL(segments: [.text("CAST(SUM(")] + sql.segments
            + [.text(") AS "), .columnType(Value.Aggregated.columnType.storage), .text(")")]))
    }

    /// `AVG(column)` as a `Double`.
    public var average: SQLAggregate<Double?> {
        SQLAggregate(SQL(segments: [.text("CAST(AVG(")] + sql.segments + [.text(") AS "), .columnType(.double), .text(")")]))
    }
}

extension SQLExpression where Value: SQLAggregatable {
    /// `MIN(column)`.
    public var min: SQLAggregate<Value.Aggregated?> { SQLAggregate("MIN(\(sql))") }
    /// `MAX(column)`.
    public var max: SQLAggregate<Value.Aggregated?> { SQLAggregate("MAX(\(sql))") }
}
