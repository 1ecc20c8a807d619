/// The storage a Swift type asks for when `createTable` declares its column.
///
/// Each dialect maps a storage to its own SQL type (SQLite `INTEGER`, PostgreSQL `BIGINT`, …).
public struct ColumnType: Sendable, Hashable {
    /// The kinds of column the library declares; each dialect names the SQL type of each
    /// (``SQLDialect/columnTypeSQL(for:)``).
    public enum Storage: Sendable, Hashable {
        /// `Int64` and `Int`: SQLite `INTEGER`, PostgreSQL `BIGINT`.
        case integer64
        /// `Int32`: `INTEGER` on both.
        case integer32
        /// `Double`: SQLite `REAL`, PostgreSQL `DOUBLE PRECISION`.
        case double
        /// `String`: `TEXT` on both.
        case text
        /// `Data`: SQLite `BLOB`, PostgreSQL `BYTEA`.
        case blob
        /// `Bool`: SQLite `INTEGER` (0 or 1), PostgreSQL `BOOLEAN`.
        case boolean
        /// `Date`: SQLite ISO-8601 `TEXT`, PostgreSQL `TIMESTAMPTZ`.
        case timestamp
        /// `UUID`: SQLite `TEXT`, PostgreSQL `UUID`.
        case uuid
    }

    /// The kind of column.
    public var storage: Storage
    /// True for optional types: the column is declared without NOT NULL.
    public var isNullable: Bool

    /// A column of `storage`, NOT NULL unless `isNullable`.
    public init(_ storage: Storage, isNullable: Bool = false) {
        self.storage = storage
        self.isNullable = isNullable
    }
}
