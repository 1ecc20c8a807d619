/// The statements behind ``SavepointVersionLedger``: re-locking the rows a rolled-back savepoint wrote, and
/// moving a row past the versions it burned.
extension Transaction {
    /// Right after `ROLLBACK TO SAVEPOINT`: where locks are per row, the rollback released the locks the savepoint
    /// took, so take them again before another transaction can write the rows, and if one already did (its
    /// version is now one the savepoint handed out), move the row past those versions at once.
    func relock(_ rows: [SavepointVersionLedger.RowKey: SavepointVersionLedger.Issued]) throws {
        // SQLite: the transaction's write lock covers the whole database and was never released.
        guard !rows.isEmpty, context.writeLockScope == .rows else { return }
        // In key order, so two transactions re-locking the same rows cannot deadlock on the order.
        for (row, issued) in rows.sorted(by: { $0.key.table != $1.key.table ? $0.key.table < $1.key.table : AnyPrimaryKey.lockOrder($0.key.key, $1.key.key) }) {
            let lock = SQL(segments: [.rowLock(RowLock())])
            let select: SQL = """
                SELECT \(identifier: issued.versionColumn) FROM \(identifier: row.table) \
                WHERE \(identifier: issued.primaryKeyColumn) = \(key: row.key)\(lock)
                """
            var current: Int64?
            try query(render(select)) { result in current = try result.decode(Int64?.self, at: 0) }
            if let current, (issued.lowest...issued.highest).contains(current) {
                try moveVersion(of: row, past: issued)
            }
        }
    }

    /// Before COMMIT: every burned row that was not written again moves past its burned versions, so none of them
    /// can match a later write, in this transaction or after it.
    func settleBurnedVersions() throws {
        for (row, issued) in versionLedger.burned { try moveVersion(of: row, past: issued) }
    }

    /// Before a bulk update of `table` bumps versions by one: a burned row would otherwise step onto a version a
    /// stale value holds. Moving it first can make an untouched copy stale, never the other way round.
    func settleBurnedVersions(in table: String) throws {
        for (row, issued) in versionLedger.burnedRows(in: table) { try moveVersion(of: row, past: issued) }
    }

    /// The version a write of `row` must give it: one past `version`, or past the burned versions if higher.
    func nextVersion(of row: SavepointVersionLedger.RowKey, after version: Int64, model: String) throws -> Int64 {
        var next = version + 1
        if versionLedger.isActive, let floor = versionLedger.floor(for: row), next <= floor {
            guard floor < Int64.max else {
                throw PersistenceError.versionOverflow(model: model, primaryKey: row.key)
            }
            next = floor + 1
        }
        return next
    }

    /// `UPDATE … SET version = highest + 1 WHERE pk = ? AND version <= highest`: a version bump with no other change.
    private func moveVersion(of row: SavepointVersionLedger.RowKey, past issued: SavepointVersionLedger.Issued) throws {
        guard issued.highest < Int64.max else {
            throw PersistenceError.versionOverflow(model: row.table, primaryKey: row.key)
        }
        let update: SQL = """
            UPDATE \(identifier: row.table) SET \(identifier: issued.versionColumn) = \(issued.highest + 1) \
            WHERE \(identifier: issued.primaryKeyColumn) = \(key: row.key) \
            AND \(identifier: issued.versionColumn) <= \(issued.highest)
            """
        try send(render(update))
        versionLedger.settled(row)
    }
}
