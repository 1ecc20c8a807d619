extension Transaction {
    /// Runs `body`, which changes rows that belong to `parent` (the lines of an order), and then bumps `parent`'s
    /// version, checked against the version `parent` holds, exactly once if `body` changed any row.
    ///
    /// The parent's version then stands for the whole aggregate: two editors who loaded the same order conflict
    /// even when they change different lines, because the second one's bump of the order finds a newer version.
    /// That conflict is a ``StaleRecordError``, and everything `body` did is rolled back with it (it runs in a
    /// savepoint), so no half-edited order is left behind.
    ///
    /// ```swift
    /// try await db.write { [order] tx in
    ///     var order = order
    ///     try tx.changingChildren(of: &order) { tx in
    ///         var line = try tx.find(OrderLine.self, id: lineID)!
    ///         try tx.update(&line) { $0.quantity = 3 }
    ///     }
    /// }
    /// ```
    ///
    /// When `body` changes nothing, the parent is not touched and its version stays.
    @discardableResult
    public func changingChildren<Parent: Model, T>(of parent: inout Parent, _ body: (Transaction) throws -> T) throws -> T {
        try savepoint { tx in
            let before = tx.rowsChanged
            let result = try body(tx)
            if tx.rowsChanged > before { try tx.touch(&parent) }
            return result
        }
    }
}
