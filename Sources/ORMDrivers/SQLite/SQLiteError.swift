import CSQLite3
import Foundation
import VersionedORM

/// Turns SQLite result codes into classified ``DatabaseError``s.
enum SQLiteErrorMapping {
    static func error(code: Int32, message: String) -> DatabaseError {
        DatabaseError(kind: kind(of: code), code: name(of: code), numericCode: code, message: message,
                      columnName: columnName(code: code, message: message))
    }

    /// SQLite names the column of a NOT NULL violation only in its message: `NOT NULL constraint failed: t.c`.
    private static func columnName(code: Int32, message: String) -> String? {
        guard code == 1299, let qualified = message.split(separator: ":").last,
              let column = qualified.split(separator: ".").last
        else { return nil }
        return column.trimmingCharacters(in: .whitespaces)
    }

    static func kind(of code: Int32) -> DatabaseError.Kind {
        switch code {
        case 517: .transientConflict  // SQLITE_BUSY_SNAPSHOT: a read snapshot went stale before it could write
        case 2067, 1555: .uniqueViolation  // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY
        case 787: .foreignKeyViolation
        case 1299: .notNullViolation
        case 275: .checkViolation
        default:
            switch code & 0xFF {
            case SQLITE_BUSY, SQLITE_LOCKED: .busy
            case SQLITE_INTERRUPT: .cancelled
            case SQLITE_CONSTRAINT: .constraintViolation
            case SQLITE_READONLY: .readOnly
            case SQLITE_ERROR, SQLITE_RANGE, SQLITE_MISUSE: .invalidStatement
            default: .other
            }
        }
    }

    private static let names: [Int32: String] = [
        1: "SQLITE_ERROR", 5: "SQLITE_BUSY", 6: "SQLITE_LOCKED", 8: "SQLITE_READONLY", 9: "SQLITE_INTERRUPT",
        10: "SQLITE_IOERR", 11: "SQLITE_CORRUPT", 13: "SQLITE_FULL", 14: "SQLITE_CANTOPEN", 19: "SQLITE_CONSTRAINT",
        20: "SQLITE_MISMATCH", 21: "SQLITE_MISUSE", 25: "SQLITE_RANGE", 26: "SQLITE_NOTADB",
        261: "SQLITE_BUSY_RECOVERY", 517: "SQLITE_BUSY_SNAPSHOT", 773: "SQLITE_BUSY_TIMEOUT",
        262: "SQLITE_LOCKED_SHAREDCACHE", 264: "SQLITE_READONLY_RECOVERY", 520: "SQLITE_READONLY_CANTLOCK",
        275: "SQLITE_CONSTRAINT_CHECK", 531: "SQLITE_CONSTRAINT_COMMITHOOK", 787: "SQLITE_CONSTRAINT_FOREIGNKEY",
        1043: "SQLITE_CONSTRAINT_FUNCTION", 1299: "SQLITE_CONSTRAINT_NOTNULL", 1555: "SQLITE_CONSTRAINT_PRIMARYKEY",
        1811: "SQLITE_CONSTRAINT_TRIGGER", 2067: "SQLITE_CONSTRAINT_UNIQUE", 2323: "SQLITE_CONSTRAINT_VTAB",
        2579: "SQLITE_CONSTRAINT_ROWID",
    ]

    static func name(of code: Int32) -> String {
        names[code] ?? names[code & 0xFF].map { "\($0) (\(code))" } ?? "SQLITE_\(code)"
    }
}
