/// The versions a transaction handed out inside savepoints, so that rolling a savepoint back can never make one
/// of them valid again.
///
/// A write inside a savepoint gives the Swift value version v+1; when the savepoint rolls back the row is at v
/// again, but the value still says v+1, and the library cannot reach into the caller's variables to undo that.
/// If the row were later written to v+1 by someone else (another copy in this transaction, or on PostgreSQL
/// another transaction, since `ROLLBACK TO SAVEPOINT` releases the row locks taken inside it), the stale value's
/// `WHERE version = v+1` would match and silently overwrite that write.
///
/// So the versions are burned: the transaction remembers, per row, the highest version a rolled-back savepoint
/// issued. The row's next versioned write in this transaction jumps past it (`version = highest + 1` instead of
/// `version + 1`), and COMMIT moves every burned row that was not written again past it too. A copy that was not
/// touched inside the savepoint still saves normally; the stale value meets a version it never held and gets a
/// ``StaleRecordError``. Rows are re-locked right after the rollback where locks are per row (PostgreSQL).
///
/// Nothing is tracked outside savepoints, so transactions without them pay nothing.
struct SavepointVersionLedger {
    struct RowKey: Hashable {
        let table: String
        let key: AnyPrimaryKey
    }

    struct Issued {
        let primaryKeyColumn: String
        let versionColumn: String
        /// The lowest and highest version handed out for the row.
        var lowest: Int64
        var highest: Int64

        mutating func absorb(_ other: Issued) {
            lowest = min(lowest, other.lowest)
            highest = max(highest, other.highest)
        }
    }

    /// One entry per open savepoint, innermost last: the rows written inside it.
    private var open: [[RowKey: Issued]] = []
    /// Rows whose versions in `lowest...highest` were issued by a savepoint that rolled back.
    private(set) var burned: [RowKey: Issued] = [:]

    /// True when a write has to be looked at: inside a savepoint, or after one rolled back.
    var isActive: Bool { !open.isEmpty || !burned.isEmpty }

    mutating func savepointBegan() {
        open.append([:])
    }

    mutating func savepointReleased() {
        guard let inner = open.popLast() else { return }
        guard !open.isEmpty else { return }
        for (row, issued) in inner { open[open.count - 1][row, default: issued].absorb(issued) }
    }

    /// Burns what the innermost savepoint issued and returns those rows.
    mutating func savepointRolledBack() -> [RowKey: Issued] {
        guard let inner = open.popLast() else { return [:] }
        for (row, issued) in inner { burned[row, default: issued].absorb(issued) }
        return inner
    }

    /// The highest burned version of the row, when its next version must skip past it.
    func floor(for row: RowKey) -> Int64? {
        burned[row]?.highest
    }

    /// A write gave the row `version`, inside or outside a savepoint.
    mutating func recordWrite(_ row: RowKey, primaryKeyColumn: String, versionColumn: String, version: Int64) {
        if let floor = burned[row]?.highest, version > floor { burned.removeValue(forKey: row) }
        guard !open.isEmpty else { return }
        let issued = Issued(primaryKeyColumn: primaryKeyColumn, versionColumn: versionColumn, lowest: version,
                            highest: version)
        open[open.count - 1][row, default: issued].absorb(issued)
    }

    /// The row no longer needs moving past its burned versions (it was deleted, or already moved).
    mutating func settled(_ row: RowKey) {
        burned.removeValue(forKey: row)
    }

    /// Burned rows of one table.
    func burnedRows(in table: String) -> [(RowKey, Issued)] {
        burned.filter { $0.key.table == table }.map { ($0.key, $0.value) }
    }
}
