import Foundation
import CSQLite3
import VersionedORM

/// SQLite's spelling: `?` placeholders, double-quoted identifiers, `BEGIN IMMEDIATE` for writes.
public struct SQLiteDialect: SQLDialect {
    /// The SQLite dialect; it holds no state.
    public init() {}

    /// `"sqlite"`.
    public var name: String { "sqlite" }

    /// `?` for every parameter: SQLite binds them by position.
    public func placeholder(at index: Int) -> String { "?" }

    // Identifiers reach the dialect validated (no quote characters), so wrapping them is enough.
    /// The name in double quotes.
    public func quote(identifier: String) -> String { "\"\(identifier)\"" }

    /// `INTEGER` for integers and booleans, `REAL`, `TEXT`, `BLOB`; timestamps (ISO-8601) and UUIDs as `TEXT`.
    public func columnTypeSQL(for storage: ColumnType.Storage) -> String {
        switch storage {
        case .integer64, .integer32, .boolean: "INTEGER"
        case .double: "REAL"
        case .text: "TEXT"
        case .blob: "BLOB"
        // ISO-8601 text: sortable, readable, and understood by SQLite's date functions.
        case .timestamp: "TEXT"
        case .uuid: "TEXT"
        }
    }

    // AUTOINCREMENT stops SQLite reusing the key of a deleted last row: a stale copy of the deleted row, still at
    // version 1, must never match a new row that happens to get its key and version 1.
    /// `INTEGER PRIMARY KEY AUTOINCREMENT`: the rowid, whose values are never reused.
    public var generatedPrimaryKeyDeclaration: String { "INTEGER PRIMARY KEY AUTOINCREMENT" }

    // SQLITE_MAX_VARIABLE_NUMBER's default: 32,766 since SQLite 3.32, 999 before.
    /// 32,766 when the linked SQLite is 3.32 or later, else 999.
    public var maxBoundParameters: Int { sqlite3_libversion_number() >= 3_032_000 ? 32_766 : 999 }

    /// `BEGIN DEFERRED` for a read, `BEGIN IMMEDIATE` for a write, which takes the write lock at once. The
    /// isolation level is ignored: SQLite transactions are serializable.
    public func beginTransactionSQL(_ options: TransactionOptions) -> String {
        // SQLite transactions are serializable whatever level is asked. A write takes the write lock up front,
        // so it never fails half-way with SQLITE_BUSY on its first write.
        options.readOnly ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE"
    }


    // A row lock is only allowed inside a write transaction, which on SQLite began IMMEDIATE and so holds the
    // database's write lock: every row is already protected, and SQLite has no FOR UPDATE to send.
    /// Always empty: a write transaction already holds the database's write lock.
    public func rowLockSQL(_ lock: RowLock) -> String { "" }

    /// Counts the column in `pragma_table_info`, with both names bound.
    public func columnExistsQuery(table: String, column: String) -> SQL {
        "SELECT COUNT(*) FROM pragma_table_info(\(table)) WHERE name = \(column)"
    }

    /// `nil`: a write transaction began IMMEDIATE, so it already holds the one write lock other writers wait for.
    public func transactionLockQuery(named name: String) -> SQL? { nil }

    /// Integers and reals as numbers, booleans as 1 and 0, text in quotes, dates and UUIDs as the text the driver
    /// binds for them, blobs as `X'…'`.
    public func literalSQL(_ value: DatabaseValue) throws -> String {
        switch value {
        case .null: "NULL"
        case .integer(let integer): String(integer)
        case .double(let double): try SQLLiteral.number(double)
        case .bool(let bool): bool ? "1" : "0"
        case .text(let text): try SQLLiteral.quoted(text)
        case .date(let date): try SQLLiteral.timestamp(date)
        case .uuid(let uuid): try SQLLiteral.quoted(uuid.uuidString.lowercased())
        case .blob(let data): "X'" + SQLLiteral.hex(data) + "'"
        }
    }
}
