/// A SELECT over one model's table: filter, order, limit; run with a transaction.
///
/// ```swift
/// let rich = try Account.where { $0.balance >= 1_000 && $0.note == nil }
///     .order { [$0.balance.descending, $0.owner.ascending] }
///     .limit(10)
///     .fetchAll(tx)
/// ```
///
/// Queries are values: each method returns a new query. Every value in them is a bound parameter.
public struct Query<M: Model>: Sendable {
    private var predicate: SQLExpression<Bool>?
    private var orderings: [SQLOrdering] = []
    private var limitCount: Int?
    @usableFromInline var offsetCount: Int?
    private var rowLock: RowLock?

    /// Every row of `M`'s table, as `M.all()` returns.
    public init() {}

    /// Adds a condition; several calls combine with AND.
    public func `where`(_ condition: (TableColumns<M>) -> SQLExpression<Bool>) -> Query {
        var query = self
        let added = condition(TableColumns())
        query.predicate = predicate.map { $0 && added } ?? added
        return query
    }

    /// Adds ORDER BY terms after any already given.
    public func order(_ terms: (TableColumns<M>) -> [SQLOrdering]) -> Query {
        var query = self
        query.orderings += terms(TableColumns())
        return query
    }

    /// At most `count` rows, after skipping `offset`.
    public func limit(_ count: Int, offset: Int? = nil) -> Query {
        var query = self
        query.limitCount = count
        query.offsetCount = offset
        return query
    }

    /// Locks the selected rows until the transaction ends: `FOR UPDATE [OF …] [NOWAIT | SKIP LOCKED]` on
    /// PostgreSQL. Only allowed in a write transaction; on SQLite, whose write transaction already holds the
    /// database's write lock, no clause is sent. The result runs only in a ``Transaction``, so it cannot be used
    /// in `writeWithoutTransaction`, where no lock could be held.
    public func forUpdate(_ wait: RowLockWait = .wait, of tables: [String] = []) -> LockingQuery<M> {
        var query = self
        query.rowLock = RowLock(wait: wait, tables: tables)
        return LockingQuery(query: query)
    }

    // The fetch methods are @inlinable so the per-row loop specializes for the model in the caller's module.
    /// Every matching row, decoded, in the query's order; locked too when the transaction has locking reads.
    /// Throws ``RowDecodingError`` for a row that does not decode.
    @inlinable
    public func fetchAll(_ transaction: Transaction) throws -> [M] {
        try checkRowLock(transaction)
        var models: [M] = []
        let sql = locking(for: transaction).selectSQL(columns: selectList, schema: transaction.schema(for: M.self))
        try transaction.select(transaction.render(sql)) { row in
            models.append(try M.decode(&row))
        }
        return models
    }

    /// Hands the matching rows to `body` one at a time as the database returns them, so memory stays flat
    /// however many rows there are: SQLite steps through the statement, PostgreSQL reads in libpq's single-row
    /// mode. For reading and exporting large results; the closure runs while the statement is still open, so it
    /// cannot send statements on `transaction` (``UsageError/statementDuringRowStream``). To change many rows
    /// while users edit them, use ``Database/updateEach(_:chunkSize:onStale:progress:_:)``, which reads in
    /// chunks and writes each chunk with version checks.
    ///
    /// ```swift
    /// let total = try await db.read { tx in
    ///     var total: Int64 = 0
    ///     try Account.all().fetchEach(tx) { account in total += account.balance }
    ///     return total
    /// }
    /// ```
    ///
    /// When `body` throws, the rest of the rows are not decoded (PostgreSQL still reads them off the
    /// connection) and the error is rethrown.
    @inlinable
    public func fetchEach(_ transaction: Transaction, _ body: (M) throws -> Void) throws {
        try checkRowLock(transaction)
        let sql = locking(for: transaction).selectSQL(columns: selectList, schema: transaction.schema(for: M.self))
        try transaction.stream(transaction.render(sql)) { row in
            try body(try M.decode(&row))
        }
    }

    /// The first matching row after the query's offset, or nil: the query is sent with `LIMIT 1`, in place of
    /// any limit of its own.
    @inlinable
    public func fetchOne(_ transaction: Transaction) throws -> M? {
        try checkRowLock(transaction)
        var model: M?
        let sql = limit(1, offset: offsetCount).locking(for: transaction)
            .selectSQL(columns: selectList, schema: transaction.schema(for: M.self))
        try transaction.select(transaction.render(sql)) { row in
            model = try M.decode(&row)
        }
        return model
    }

    /// The number of matching rows, limit and offset applied: `SELECT COUNT(*)` over the query, so no row is
    /// decoded, and none is locked even when the transaction has locking reads.
    public func count(_ transaction: Transaction) throws -> Int {
        try checkRowLock(transaction)
        let inner = selectSQL(columns: "1", schema: transaction.schema(for: M.self))
        let counted = try transaction.fetchValue(Int.self, "SELECT COUNT(*) FROM (\(inner)) AS \(identifier: "counted")")
        return counted ?? 0
    }

    /// Whether any row matches: `SELECT EXISTS (…)` over the query, decoding and locking nothing.
    public func exists(_ transaction: Transaction) throws -> Bool {
        try checkRowLock(transaction)
        let found = try transaction.fetchValue(Bool.self, "SELECT EXISTS (\(selectSQL(columns: "1", schema: transaction.schema(for: M.self))))")
        return found ?? false
    }

    /// The query with the transaction's read lock, when it has one and the query names none of its own.
    @usableFromInline
    func locking(for transaction: Transaction) -> Query {
        guard let wait = transaction.readLock, rowLock == nil else { return self }
        var query = self
        query.rowLock = RowLock(wait: wait)
        return query
    }

    @usableFromInline
    func checkRowLock(_ transaction: Transaction) throws {
        guard rowLock != nil else { return }
        try transaction.requireRowLockAllowed()
    }

    /// The next `size` rows after `key` in key order (from the first row when nil), for a walk over the table in
    /// chunks: each chunk starts where the last ended, so rows inserted or deleted meanwhile shift nothing.
    /// Refuses a query with an order, limit or lock of its own, which the walk would silently override.
    func keysetChunk(after key: M.Key?, size: Int) throws -> Query {
        guard orderings.isEmpty, limitCount == nil, rowLock == nil else {
            throw UsageError.invalidArgument("a chunked walk orders by key itself: pass a query with a filter only, not order, limit or a row lock")
        }
        guard size > 0 else { throw UsageError.invalidArgument("chunkSize must be positive (\(size))") }
        let keyColumn = Self.keyColumn
        var chunk = key.map { key in self.where { _ in keyColumn > key } } ?? self
        chunk.orderings = [keyColumn.ascending]
        chunk.limitCount = size
        return chunk
    }

    /// The row with primary key `key`, if it still matches the query's filter.
    func matching(key: M.Key) -> Query {
        self.where { _ in Self.keyColumn == key }
    }

    /// The rows with these keys, in key order.
    func matching(keys: [M.Key]) -> Query {
        self.where { _ in Self.keyColumn.in(keys) }.order { _ in [Self.keyColumn.ascending] }
    }

    /// The primary key column as an expression of the key's type.
    static var keyColumn: SQLExpression<M.Key> {
        SQLExpression(SQL(segments: [.identifier(M.schema.primaryKeyColumn)]))
    }

    /// The filter alone, for a join that puts it into its own WHERE.
    var filterExpression: SQLExpression<Bool>? { predicate }

    /// Why this query cannot be used where only its filter counts (it has an order, limit or lock), or nil.
    var filterOnlyProblem: String? {
        orderings.isEmpty && limitCount == nil && rowLock == nil ? nil : "pass order, limit and locks to the join"
    }

    /// The WHERE clause alone, for statements other than SELECT; refuses what only a SELECT can take.
    func filterClause(for statement: String) throws -> SQL? {
        guard orderings.isEmpty, limitCount == nil, rowLock == nil else {
            throw UsageError.invalidArgument("\(statement) takes a filter only, not order, limit or a row lock")
        }
        return predicate.map { "\nWHERE \($0.sql)" }
    }

    @usableFromInline
    var selectList: SQL { Self.selectList }

    /// The model's columns in decoding order: primary key, data columns, version.
    @usableFromInline
    static var selectList: SQL {
        let names = M.schema.selectedColumnNames.map { SQL(segments: [.identifier($0)]) }
        return SQL.joined(names, separator: ", ")
    }

    /// The statement this query runs, selecting `columns`; public so tests and tools can inspect it.
    public func selectSQL(columns: SQL) -> SQL {
        selectSQL(columns: columns, schema: M.schema)
    }

    /// The statement on `schema`'s table: the model's own, or one a transaction bound.
    @usableFromInline
    func selectSQL(columns: SQL, schema: Schema<M>) -> SQL {
        if let problem = schema.problem { return SQL(segments: [.invalid(problem)]) }
        var sql: SQL = "SELECT \(columns) FROM \(identifier: schema.table)"
        if let predicate {
            sql.append("\nWHERE \(predicate.sql)")
        }
        let tail = SQL.orderAndLimit(orderings, limit: limitCount, offset: offsetCount)
        if let problem = tail.problem { return SQL(segments: [.invalidArgument(problem)]) }
        sql.append(tail.sql)
        if let rowLock {
            sql.append(SQL(segments: [.rowLock(rowLock)]))
        }
        return sql
    }
}

extension Model {
    /// Every row of the table.
    public static func all() -> Query<Self> { Query() }

    /// Rows matching a condition: `Account.where { $0.balance > 100 }`.
    public static func `where`(_ condition: (TableColumns<Self>) -> SQLExpression<Bool>) -> Query<Self> {
        Query().where(condition)
    }

    /// Every row, ordered.
    public static func order(_ terms: (TableColumns<Self>) -> [SQLOrdering]) -> Query<Self> {
        Query().order(terms)
    }
}
