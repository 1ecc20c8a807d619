import CSQLite3
import Foundation
import VersionedORM

/// A SQLite result code. An extended code (`SQLITE_CONSTRAINT_UNIQUE`, 2067) matches its primary code
/// (`SQLITE_CONSTRAINT`, 19) in a `switch`, as in GRDB: `case .constraint:` catches every constraint failure.
struct SQLiteResultCode: Hashable, Sendable {
    let rawValue: Int32

    init(_ rawValue: Int32) {
        self.rawValue = rawValue
    }

    var primary: SQLiteResultCode { SQLiteResultCode(rawValue & 0xFF) }
    var isPrimary: Bool { rawValue == rawValue & 0xFF }

    static func ~= (pattern: SQLiteResultCode, code: SQLiteResultCode) -> Bool {
        pattern.isPrimary ? pattern == code.primary : pattern == code
    }

    static let error = SQLiteResultCode(1)
    static let busy = SQLiteResultCode(5)
    static let locked = SQLiteResultCode(6)
    static let readOnly = SQLiteResultCode(8)
    static let interrupt = SQLiteResultCode(9)
    static let constraint = SQLiteResultCode(19)
    static let misuse = SQLiteResultCode(21)
    static let range = SQLiteResultCode(25)
    static let busySnapshot = SQLiteResultCode(517)
    static let constraintCheck = SQLiteResultCode(275)
    static let constraintForeignKey = SQLiteResultCode(787)
    static let constraintNotNull = SQLiteResultCode(1299)
    static let constraintPrimaryKey = SQLiteResultCode(1555)
    static let constraintUnique = SQLiteResultCode(2067)
}

/// Turns SQLite result codes into classified `DatabaseError`s, from one table of code, name and kind.
enum SQLiteErrorMapping {
    static func error(code: Int32, message: String) -> DatabaseError {
        DatabaseError(kind: kind(of: code), code: name(of: code), numericCode: code, message: message,
                      columnName: columnName(code: code, message: message))
    }

    /// Every code the driver names, with the kind it means; an extended code without a kind of its own takes its
    /// primary code's. Checked in order, so the extended codes come before the primary ones.
    private static let table: [(code: SQLiteResultCode, name: String, kind: DatabaseError.Kind?)] = [
        // A read snapshot went stale before it could write: retrying the transaction helps.
        (.busySnapshot, "SQLITE_BUSY_SNAPSHOT", .transientConflict),
        (SQLiteResultCode(261), "SQLITE_BUSY_RECOVERY", nil),
        (SQLiteResultCode(773), "SQLITE_BUSY_TIMEOUT", nil),
        (SQLiteResultCode(262), "SQLITE_LOCKED_SHAREDCACHE", nil),
        (SQLiteResultCode(264), "SQLITE_READONLY_RECOVERY", nil),
        (SQLiteResultCode(520), "SQLITE_READONLY_CANTLOCK", nil),
        (.constraintUnique, "SQLITE_CONSTRAINT_UNIQUE", .uniqueViolation),
        (.constraintPrimaryKey, "SQLITE_CONSTRAINT_PRIMARYKEY", .uniqueViolation),
        (.constraintForeignKey, "SQLITE_CONSTRAINT_FOREIGNKEY", .foreignKeyViolation),
        (.constraintNotNull, "SQLITE_CONSTRAINT_NOTNULL", .notNullViolation),
        (.constraintCheck, "SQLITE_CONSTRAINT_CHECK", .checkViolation),
        (SQLiteResultCode(531), "SQLITE_CONSTRAINT_COMMITHOOK", nil),
        (SQLiteResultCode(1043), "SQLITE_CONSTRAINT_FUNCTION", nil),
        (SQLiteResultCode(1811), "SQLITE_CONSTRAINT_TRIGGER", nil),
        (SQLiteResultCode(2323), "SQLITE_CONSTRAINT_VTAB", nil),
        (SQLiteResultCode(2579), "SQLITE_CONSTRAINT_ROWID", nil),
        (.error, "SQLITE_ERROR", .invalidStatement),
        (.busy, "SQLITE_BUSY", .busy),
        (.locked, "SQLITE_LOCKED", .busy),
        (.readOnly, "SQLITE_READONLY", .readOnly),
        (.interrupt, "SQLITE_INTERRUPT", .cancelled),
        (SQLiteResultCode(10), "SQLITE_IOERR", nil),
        (SQLiteResultCode(11), "SQLITE_CORRUPT", nil),
        (SQLiteResultCode(13), "SQLITE_FULL", nil),
        (SQLiteResultCode(14), "SQLITE_CANTOPEN", nil),
        (.constraint, "SQLITE_CONSTRAINT", .constraintViolation),
        (SQLiteResultCode(20), "SQLITE_MISMATCH", nil),
        (.misuse, "SQLITE_MISUSE", .invalidStatement),
        (.range, "SQLITE_RANGE", .invalidStatement),
        (SQLiteResultCode(26), "SQLITE_NOTADB", nil),
    ]

    static func kind(of code: Int32) -> DatabaseError.Kind {
        let code = SQLiteResultCode(code)
        if let exact = table.first(where: { $0.code == code }), let kind = exact.kind { return kind }
        return table.first(where: { $0.code == code.primary })?.kind ?? .other
    }

    static func name(of code: Int32) -> String {
        let result = SQLiteResultCode(code)
        if let exact = table.first(where: { $0.code == result }) { return exact.name }
        if let primary = table.first(where: { $0.code == result.primary }) { return "\(primary.name) (\(code))" }
        return "SQLITE_\(code)"
    }

    /// A NOWAIT transaction found the database's write lock taken, by another transaction of this process or by
    /// another process: the one error for both.
    static func writeLockHeld(code: Int32 = SQLITE_BUSY) -> DatabaseError {
        DatabaseError(kind: .lockNotAvailable, code: name(of: code), numericCode: code,
                      message: "another transaction holds the database's write lock (NOWAIT)")
    }

    /// SQLite names the column of a NOT NULL violation only in its message: `NOT NULL constraint failed: t.c`.
    private static func columnName(code: Int32, message: String) -> String? {
        guard SQLiteResultCode(code) == .constraintNotNull, let qualified = message.split(separator: ":").last,
              let column = qualified.split(separator: ".").last
        else { return nil }
        return column.trimmingCharacters(in: .whitespaces)
    }
}
