import VersionedORM

/// Settings of a SQLite database.
public struct SQLiteConfiguration: Sendable {
    /// How SQLite syncs the write-ahead log to disk.
    public enum Synchronous: String, Sendable {
        /// Durable across power loss: every commit syncs. The default.
        case full = "FULL"
        /// Durable across application crashes; a power loss may lose the last commits. Faster.
        case normal = "NORMAL"
    }

    /// Settings shared by every driver: logging, tracing, connection timeout.
    public var database: DatabaseConfiguration
    /// Read-only connections for `read` transactions, next to the one writer. In-memory databases use one
    /// connection for everything.
    public var readerCount: Int
    /// How long a statement waits for another process's lock before failing with a busy error. Bounded: SQLite
    /// never retries endlessly.
    public var busyTimeout: Duration
    /// Sent as `PRAGMA synchronous` on every connection; `.full` by default.
    public var synchronous: Synchronous
    /// The number of prepared statements each connection keeps; beyond it the least recently used one is
    /// finalized. Raw SQL and statements with an `IN` list are never kept.
    public var statementCacheCapacity: Int

    /// Each argument sets the property of the same name; by default 4 readers, a 5 s busy timeout, `.full`
    /// syncing and 256 cached statements per connection.
    public init(
        database: DatabaseConfiguration = DatabaseConfiguration(),
        readerCount: Int = 4,
        busyTimeout: Duration = .seconds(5),
        synchronous: Synchronous = .full,
        statementCacheCapacity: Int = 256
    ) {
        self.database = database
        self.readerCount = readerCount
        self.busyTimeout = busyTimeout
        self.synchronous = synchronous
        self.statementCacheCapacity = statementCacheCapacity
    }
}
