/// How a query that locks rows behaves when another transaction holds one of them.
public enum RowLockWait: Sendable, Hashable {
    /// Wait for the other transaction to finish.
    case wait
    /// Fail at once with a `DatabaseError` of kind `.lockNotAvailable`.
    case noWait
    /// Leave locked rows out of the result.
    case skipLocked
}

/// `FOR UPDATE` with its options. NOWAIT and SKIP LOCKED exclude each other, so they are one enum: the
/// combination cannot be written.
public struct RowLock: Sendable, Hashable {
    /// What to do about rows another transaction holds: wait, fail (`NOWAIT`) or leave them out (`SKIP LOCKED`).
    public var wait: RowLockWait
    /// The tables whose rows are locked (`FOR UPDATE OF …`); empty locks every table of the query.
    public var tables: [String]

    /// `FOR UPDATE`, waiting by default, on every table of the query unless `tables` names some.
    public init(wait: RowLockWait = .wait, tables: [String] = []) {
        self.wait = wait
        self.tables = tables
    }
}

/// What a database locks when a transaction writes.
public enum WriteLockScope: Sendable, Equatable {
    /// Rows: writers of different rows proceed together; `FOR UPDATE` locks rows (PostgreSQL).
    case rows
    /// The whole database: one writer at a time, so a write transaction already holds every row (SQLite).
    case database
}
