extension SQL {
    /// `ORDER BY …`, `LIMIT n` and `OFFSET m` as every SELECT of the query builder ends; nil with the reason when
    /// a count is negative, which the caller turns into the statement's error.
    static func orderAndLimit(_ orderings: [SQLOrdering], limit: Int?, offset: Int?) -> (sql: SQL, problem: String?) {
        var sql = SQL()
        if !orderings.isEmpty {
            let terms = orderings.map { SQL("\($0.expression)") + SQL(unsafeRaw: $0.descending ? " DESC" : " ASC") }
            sql.append("\nORDER BY \(SQL.joined(terms, separator: ", "))")
        }
        if let limit {
            guard limit >= 0 else { return (sql, "limit must not be negative (\(limit))") }
            sql.append("\nLIMIT \(limit)")
            if let offset {
                guard offset >= 0 else { return (sql, "offset must not be negative (\(offset))") }
                sql.append(" OFFSET \(offset)")
            }
        }
        return (sql, nil)
    }
}
