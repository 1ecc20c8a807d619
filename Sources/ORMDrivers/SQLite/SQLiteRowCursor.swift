import CSQLite3
import Foundation
import VersionedORM

/// The row a SQLite statement is positioned on.
///
/// Every read takes the column's `sqlite3_value` once and asks it for its type and content. Each
/// `sqlite3_column_*` call checks the index, enters the connection's mutex and records an API exit; reading a
/// value through `sqlite3_column_type` and then `sqlite3_column_int64` (or `_text` and `_bytes`) paid that two
/// or three times per cell, the largest share of the library's decoding time in the W2 benchmark.
///
/// `sqlite3_column_value` returns an "unprotected" value, which the SQLite documentation allows to be read with
/// `sqlite3_value_*` when the connection has no mutex: "if SQLite is run in one of reduced mutex modes … there is
/// no distinction between protected and unprotected sqlite3_value objects". The connection is opened with
/// SQLITE_OPEN_NOMUTEX (multi-thread mode: no connection mutex) and is confined to one lane, and the value is
/// read only while the row is current, before the next step or reset.
final class SQLiteRowCursor: RowCursor {
    private let statement: OpaquePointer
    let columnCount: Int

    init(statement: OpaquePointer) {
        self.statement = statement
        columnCount = Int(sqlite3_column_count(statement))
    }

    private func cell(_ index: Int) -> OpaquePointer? {
        sqlite3_column_value(statement, Int32(index))
    }

    func value(at index: Int) throws -> DatabaseValue {
        guard let cell = cell(index) else { return .null }
        switch sqlite3_value_type(cell) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_value_int64(cell))
        case SQLITE_FLOAT:
            return .double(sqlite3_value_double(cell))
        case SQLITE_TEXT:
            return .text(Self.text(of: cell))
        case SQLITE_BLOB:
            // The pointer first, then the size: the order the SQLite documentation prescribes.
            let bytes = sqlite3_value_blob(cell)
            let count = Int(sqlite3_value_bytes(cell))
            guard let bytes, count > 0 else { return .blob(Data()) }
            return .blob(Data(bytes: bytes, count: count))
        default:
            return .null
        }
    }

    func isNull(at index: Int) throws -> Bool {
        guard let cell = cell(index) else { return true }
        return sqlite3_value_type(cell) == SQLITE_NULL
    }

    // The typed reads check the stored type first, as value(at:) does: a NULL or a text is never read as 0.
    func int64(at index: Int) throws -> Int64? {
        guard let cell = cell(index) else { return nil }
        switch sqlite3_value_type(cell) {
        case SQLITE_INTEGER: return sqlite3_value_int64(cell)
        case SQLITE_NULL: return nil
        default: return try Int64.fromDatabaseValue(value(at: index))
        }
    }

    func double(at index: Int) throws -> Double? {
        guard let cell = cell(index) else { return nil }
        switch sqlite3_value_type(cell) {
        case SQLITE_FLOAT: return sqlite3_value_double(cell)
        case SQLITE_INTEGER: return Double(sqlite3_value_int64(cell))
        case SQLITE_NULL: return nil
        default: return try Double.fromDatabaseValue(value(at: index))
        }
    }

    func text(at index: Int) throws -> String? {
        guard let cell = cell(index) else { return nil }
        switch sqlite3_value_type(cell) {
        case SQLITE_TEXT: return Self.text(of: cell)
        case SQLITE_NULL: return nil
        default: return try String.fromDatabaseValue(value(at: index))
        }
    }

    /// The text first, then its length in bytes: asking for the length first could convert the value twice.
    private static func text(of cell: OpaquePointer) -> String {
        guard let text = sqlite3_value_text(cell) else { return "" }
        let count = Int(sqlite3_value_bytes(cell))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }
}
