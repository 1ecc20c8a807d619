/// Marks a ``JoinQuery`` whose every result has both models: `JOIN`.
public enum InnerJoin: Sendable {}
/// Marks a ``JoinQuery`` whose left model may have no match on the right: `LEFT JOIN`, the right model optional.
public enum LeftJoin: Sendable {}

/// A SELECT over two models' tables joined on a condition: filter, order and limit on either table's columns,
/// decoded into pairs of models. Made by ``Query/join(_:on:)`` and ``Query/leftJoin(_:on:)``.
///
/// ```swift
/// let bigLines = try PurchaseOrder.all()
///     .join(OrderLine.self) { order, line in line.orderID == order.id }
///     .where { order, line in line.quantity > 10 }
///     .order { order, line in [order.id.ascending, line.id.ascending] }
///     .fetchAll(tx)                       // [(PurchaseOrder, OrderLine)]
/// ```
///
/// Each table gets an alias of its own (`"t0"`, `"t1"`), so a model can be joined with itself, and every column
/// is qualified by it. The models come back as separate values: saving one writes only its own table's columns,
/// with its own version check. Every value is a bound parameter, as in ``Query``.
public struct JoinQuery<Left: Model, Right: Model, Kind>: Sendable {
    private let left: Query<Left>
    private let condition: SQLExpression<Bool>
    private var predicate: SQLExpression<Bool>?
    private var orderings: [SQLOrdering] = []
    private var limitCount: Int?
    private var offsetCount: Int?
    private var rowLock: RowLock?
    private var lockProblem: String?

    static var leftAlias: String { "t0" }
    static var rightAlias: String { "t1" }
    private static var isLeftJoin: Bool { Kind.self == LeftJoin.self }

    init(left: Query<Left>, condition: SQLExpression<Bool>) {
        self.left = left
        self.condition = condition
    }

    private static var columns: (JoinedColumns<Left>, JoinedColumns<Right>) {
        (JoinedColumns(alias: leftAlias), JoinedColumns(alias: rightAlias))
    }

    /// Adds a condition on either table's columns; several calls combine with AND.
    public func `where`(_ condition: (JoinedColumns<Left>, JoinedColumns<Right>) -> SQLExpression<Bool>) -> Self {
        var query = self
        let (left, right) = Self.columns
        let added = condition(left, right)
        query.predicate = predicate.map { $0 && added } ?? added
        return query
    }

    /// Adds ORDER BY terms on either table's columns after any already given.
    public func order(_ terms: (JoinedColumns<Left>, JoinedColumns<Right>) -> [SQLOrdering]) -> Self {
        var query = self
        let (left, right) = Self.columns
        query.orderings += terms(left, right)
        return query
    }

    /// At most `count` result rows, after skipping `offset`.
    public func limit(_ count: Int, offset: Int? = nil) -> Self {
        var query = self
        query.limitCount = count
        query.offsetCount = offset
        return query
    }

    /// Locks the selected rows of the tables of `models` (both, when empty) until the transaction ends:
    /// `FOR UPDATE OF "t0"` on PostgreSQL. On SQLite the write transaction already holds the database and no
    /// clause is sent. Needs a write transaction. PostgreSQL refuses to lock the optional side of a left join.
    /// A model that is not one of the two, or the model of a self-join (which would name both), is refused.
    public func forUpdate(_ wait: RowLockWait = .wait, of models: [any Model.Type] = []) -> Self {
        var query = self
        var aliases: [String] = []
        for model in models {
            let id = ObjectIdentifier(model)
            if Left.self == Right.self {
                query.lockProblem = "forUpdate(of:) cannot tell the two sides of a join of \(Left.self) with itself apart"
            } else if id == ObjectIdentifier(Left.self) {
                aliases.append(Self.leftAlias)
            } else if id == ObjectIdentifier(Right.self) {
                aliases.append(Self.rightAlias)
            } else {
                query.lockProblem = "forUpdate(of:) names \(model), which is not a table of this join"
            }
        }
        query.rowLock = RowLock(wait: wait, tables: aliases)
        return query
    }

    /// The statement this join runs on the models' own tables; public so tests and tools can inspect it.
    public var selectSQL: SQL { selectSQL(Left.schema, Right.schema, readLock: nil) }

    private func selectSQL(_ leftSchema: Schema<Left>, _ rightSchema: Schema<Right>, readLock: RowLockWait?) -> SQL {
        if let problem = leftSchema.problem ?? rightSchema.problem { return SQL(segments: [.invalid(problem)]) }
        if let lockProblem { return SQL(segments: [.invalidArgument(lockProblem)]) }
        func qualified(_ alias: String, _ names: [String]) -> [SQL] {
            names.map { SQL(segments: [.identifier(alias), .text("."), .identifier($0)]) }
        }
        let list = qualified(Self.leftAlias, leftSchema.selectedColumnNames) + qualified(Self.rightAlias, rightSchema.selectedColumnNames)
        let join = Self.isLeftJoin ? "LEFT JOIN" : "JOIN"
        var sql: SQL = """
            SELECT \(SQL.joined(list, separator: ", ")) FROM \(identifier: leftSchema.table) AS \(identifier: Self.leftAlias) \
            \(unsafeRaw: join) \(identifier: rightSchema.table) AS \(identifier: Self.rightAlias) ON \(condition.sql)
            """
        if let filter = left.filterExpression {
            // The left query's filter names its columns without a table, which a join makes ambiguous ("id").
            sql.append("\nWHERE \(filter.qualified(by: Self.leftAlias).sql)")
            if let predicate { sql.append(" AND \(predicate.sql)") }
        } else if let predicate {
            sql.append("\nWHERE \(predicate.sql)")
        }
        let tail = SQL.orderAndLimit(orderings, limit: limitCount, offset: offsetCount)
        if let problem = tail.problem { return SQL(segments: [.invalidArgument(problem)]) }
        sql.append(tail.sql)
        if let rowLock {
            sql.append(SQL(segments: [.rowLock(rowLock)]))
        } else if let readLock {
            // The transaction locks what it reads: both tables, or only the left one of a left join.
            sql.append(SQL(segments: [.rowLock(RowLock(wait: readLock, tables: Self.isLeftJoin ? [Self.leftAlias] : []))]))
        }
        return sql
    }

    /// Runs the statement, handing each row's two halves to `body`; the right half is nil where a left join
    /// found no match (its key is NULL).
    fileprivate func run(_ transaction: Transaction, _ body: (Left, Right?) throws -> Void) throws {
        if rowLock != nil { try transaction.requireRowLockAllowed() }
        let leftSchema = transaction.schema(for: Left.self)
        let rightSchema = transaction.schema(for: Right.self)
        let sql = selectSQL(leftSchema, rightSchema, readLock: transaction.readLock)
        let leftCount = leftSchema.selectedColumnNames.count
        let rightCount = rightSchema.selectedColumnNames.count
        var halves: (left: ColumnRangeCursor, right: ColumnRangeCursor)?
        try transaction.select(transaction.render(sql)) { row in
            if halves == nil || halves?.left.base !== row.cursor {
                halves = (ColumnRangeCursor(base: row.cursor, offset: 0, columnCount: leftCount),
                          ColumnRangeCursor(base: row.cursor, offset: leftCount, columnCount: rightCount))
            }
            guard let current = halves else { return }
            let (leftCursor, rightCursor) = current
            var leftRow = Row(cursor: leftCursor)
            let leftValue = try Left.decode(&leftRow)
            // The key is never NULL in a stored row, so a NULL key is a left join's missing match.
            guard try !rightCursor.isNull(at: 0) else { return try body(leftValue, nil) }
            var rightRow = Row(cursor: rightCursor)
            try body(leftValue, try Right.decode(&rightRow))
        }
    }
}

extension JoinQuery where Kind == InnerJoin {
    /// Every matching pair.
    public func fetchAll(_ transaction: Transaction) throws -> [(Left, Right)] {
        var pairs: [(Left, Right)] = []
        try run(transaction) { left, right in
            guard let right else { return }
            pairs.append((left, right))
        }
        return pairs
    }
}

extension JoinQuery where Kind == LeftJoin {
    /// Every left row with its match, or with nil where it has none.
    public func fetchAll(_ transaction: Transaction) throws -> [(Left, Right?)] {
        var pairs: [(Left, Right?)] = []
        try run(transaction) { left, right in pairs.append((left, right)) }
        return pairs
    }
}

extension Query {
    /// This query's rows joined with `other`'s on `condition`: `JOIN … ON …`. The query may carry a filter on its
    /// own model, not an order, limit or lock (give those to the join).
    public func join<Other: Model>(
        _ other: Other.Type, on condition: (JoinedColumns<M>, JoinedColumns<Other>) -> SQLExpression<Bool>
    ) -> JoinQuery<M, Other, InnerJoin> {
        JoinQuery(left: self, condition: joinCondition(condition))
    }

    /// Like ``join(_:on:)``, keeping rows without a match: `LEFT JOIN`, the other model nil for them.
    public func leftJoin<Other: Model>(
        _ other: Other.Type, on condition: (JoinedColumns<M>, JoinedColumns<Other>) -> SQLExpression<Bool>
    ) -> JoinQuery<M, Other, LeftJoin> {
        JoinQuery(left: self, condition: joinCondition(condition))
    }

    private func joinCondition<Other: Model>(
        _ condition: (JoinedColumns<M>, JoinedColumns<Other>) -> SQLExpression<Bool>
    ) -> SQLExpression<Bool> {
        if let problem = filterOnlyProblem {
            return SQLExpression(SQL(segments: [.invalidArgument("a joined query takes a filter only: \(problem)")]))
        }
        return condition(JoinedColumns(alias: "t0"), JoinedColumns(alias: "t1"))
    }
}

extension SQLExpression {
    /// The expression with every identifier in it qualified by `alias`: a filter written for one table
    /// (`"balance" > ?`) as a condition on that table in a join (`"t0"."balance" > ?`).
    func qualified(by alias: String) -> SQLExpression {
        var segments: [SQL.Segment] = []
        for segment in sql.segments {
            if case .identifier = segment { segments += [.identifier(alias), .text(".")] }
            segments.append(segment)
        }
        return SQLExpression(SQL(segments: segments, isOneOff: sql.isOneOff))
    }
}
