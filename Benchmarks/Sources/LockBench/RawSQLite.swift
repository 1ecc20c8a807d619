import BenchSupport
import Foundation
import RawSQLite

/// The baseline: the same statements through the sqlite3 C API, prepared once, with no library in between.
final class RawSQLiteConnection {
    private let handle: OpaquePointer

    init(path: String) throws {
        var opened: OpaquePointer?
        guard sqlite3_open_v2(path, &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK,
              let opened else { throw BenchError("raw sqlite: cannot open \(path)") }
        handle = opened
        try exec("PRAGMA synchronous = NORMAL")
        sqlite3_busy_timeout(handle, 30_000)
    }

    deinit { sqlite3_close_v2(handle) }

    func exec(_ sql: String) throws {
        guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else { throw error() }
    }

    func prepare(_ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK,
              let statement else { throw error() }
        return statement
    }

    func error() -> BenchError { BenchError("raw sqlite: \(String(cString: sqlite3_errmsg(handle)))") }

    var changes: Int64 { sqlite3_changes64(handle) }

    static func bindText(_ statement: OpaquePointer, _ index: Int32, _ text: String?) {
        guard let text else { sqlite3_bind_null(statement, index); return }
        sqlite3_bind_text(statement, index, text, -1, raw_sqlite_transient())
    }

    static func readAccount(_ statement: OpaquePointer) -> RawAccount {
        func text(_ column: Int32) -> String? {
            guard let pointer = sqlite3_column_text(statement, column) else { return nil }
            return String(decoding: UnsafeBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(statement, column))), as: UTF8.self)
        }
        return RawAccount(id: sqlite3_column_int64(statement, 0), owner: text(1) ?? "",
                          balance: sqlite3_column_int64(statement, 2), note: text(3),
                          version: sqlite3_column_int64(statement, 4))
    }

    /// W1: fetch by key, add 1, versioned save of every column; autocommit.
    func optimisticSaves(ids: [Int64], select: String, update: String, seed: UInt64, count: Int) throws {
        let find = try prepare(select)
        let save = try prepare(update)
        defer { sqlite3_finalize(find); sqlite3_finalize(save) }
        var random = SplitMix(seed: seed)
        for _ in 0..<count {
            let id = ids[Int(random.next() % UInt64(ids.count))]
            sqlite3_bind_int64(find, 1, id)
            sqlite3_bind_int64(find, 2, 1)
            guard sqlite3_step(find) == SQLITE_ROW else { throw error() }
            var account = Self.readAccount(find)
            sqlite3_reset(find)
            account.balance += 1
            Self.bindText(save, 1, account.owner)
            sqlite3_bind_int64(save, 2, account.balance)
            Self.bindText(save, 3, account.note)
            sqlite3_bind_int64(save, 4, account.id)
            sqlite3_bind_int64(save, 5, account.version)
            guard sqlite3_step(save) == SQLITE_DONE, changes == 1 else { throw error() }
            sqlite3_reset(save)
        }
    }

    /// W2: every row of the table, decoded.
    func fetchAll(select: String) throws -> [RawAccount] {
        let statement = try prepare(select)
        defer { sqlite3_finalize(statement) }
        var accounts: [RawAccount] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            accounts.append(Self.readAccount(statement))
        }
        return accounts
    }

    /// W3: `count` inserts in one transaction, reading each generated key back: as the library's statement does,
    /// through RETURNING or, without it, as the inserted rowid.
    func insertMany(insert: String, count: Int) throws {
        let statement = try prepare(insert)
        defer { sqlite3_finalize(statement) }
        let returning = insert.contains("RETURNING")
        try exec("BEGIN IMMEDIATE")
        for number in 0..<count {
            Self.bindText(statement, 1, "owner-\(number)")
            sqlite3_bind_int64(statement, 2, Int64(number))
            Self.bindText(statement, 3, number.isMultiple(of: 3) ? nil : "note \(number)")
            if returning {
                guard sqlite3_step(statement) == SQLITE_ROW else { throw error() }
                _ = sqlite3_column_int64(statement, 0)
            } else {
                guard sqlite3_step(statement) == SQLITE_DONE, changes == 1, sqlite3_last_insert_rowid(handle) > 0
                else { throw error() }
            }
            sqlite3_reset(statement)
        }
        try exec("COMMIT")
    }

    /// The batch statement prepared once, each execution binding `rowsPerStatement` rows and stepping through
    /// the keys it returns.
    func insertBatches(insert: String, rowsPerStatement: Int, count: Int) throws {
        let statement = try prepare(insert)
        defer { sqlite3_finalize(statement) }
        try exec("BEGIN IMMEDIATE")
        for start in stride(from: 0, to: count, by: rowsPerStatement) {
            for row in 0..<rowsPerStatement {
                let number = start + row, base = Int32(row * 3)
                Self.bindText(statement, base + 1, "owner-\(number)")
                sqlite3_bind_int64(statement, base + 2, Int64(number))
                Self.bindText(statement, base + 3, number.isMultiple(of: 3) ? nil : "note \(number)")
            }
            var keys = 0
            while sqlite3_step(statement) == SQLITE_ROW {
                _ = sqlite3_column_int64(statement, 0)
                keys += 1
            }
            guard keys == rowsPerStatement else { throw error() }
            sqlite3_reset(statement)
        }
        try exec("COMMIT")
    }
}
