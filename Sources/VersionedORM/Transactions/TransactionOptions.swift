/// How a transaction is opened.
public struct TransactionOptions: Sendable, Hashable {
    /// The SQL isolation levels; the raw value is the SQL spelling.
    public enum IsolationLevel: String, Sendable, Hashable {
        case readCommitted = "READ COMMITTED"
        case repeatableRead = "REPEATABLE READ"
        case serializable = "SERIALIZABLE"
    }

    /// The isolation level; nil keeps the database's default. SQLite transactions are always serializable, so
    /// SQLite accepts every level.
    public var isolation: IsolationLevel?
    /// Whether the transaction refuses writes; `read` sets it and `write` clears it, whatever was passed. On
    /// PostgreSQL a read-only transaction with no `isolation` runs at REPEATABLE READ, so it sees one snapshot.
    public var readOnly: Bool
    /// When false, on a database with one database-wide write lock (SQLite) the transaction fails at once with
    /// a `DatabaseError` of kind `.lockNotAvailable` if another writer holds the lock, instead of waiting.
    /// Databases with row locks (PostgreSQL) ignore it: use `forUpdate(.noWait)` there.
    public var waitForWriteLock: Bool
    /// When set, every `find` and every query-builder fetch in the transaction locks the rows it reads for writing
    /// (`FOR UPDATE` with this wait on PostgreSQL; on SQLite the write transaction already holds them), so a
    /// whole unit of work reads what nobody else can change before it commits. Raw SQL is sent as written.
    /// `db.write(using: .pessimistic(…))` sets it.
    public var lockingReads: RowLockWait?

    /// The defaults: no isolation level asked (see `isolation`), read-write, waiting for the write lock, no
    /// locking reads.
    public init(isolation: IsolationLevel? = nil, readOnly: Bool = false, waitForWriteLock: Bool = true,
                lockingReads: RowLockWait? = nil) {
        self.isolation = isolation
        self.readOnly = readOnly
        self.waitForWriteLock = waitForWriteLock
        self.lockingReads = lockingReads
    }

    /// The defaults, as `write` uses them.
    public static let readWrite = TransactionOptions()
    /// A read-only transaction, as `read` uses it.
    public static let readOnly = TransactionOptions(readOnly: true)
}
