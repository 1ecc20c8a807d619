import CSQLite3
import Foundation
import VersionedORM

/// One sqlite3 handle with its prepared-statement cache. Confined to one lane (see `DatabaseConnection`), so it
/// is opened with SQLITE_OPEN_NOMUTEX and takes no locks of its own.
final class SQLiteConnection: DatabaseConnection {
    private let handle: OpaquePointer
    private let statements: SQLiteStatementCache
    private let isWriter: Bool
    /// Set for `read` transactions on a connection that could write (the single in-memory connection).
    private var refusesWrites = false
    private let busyTimeoutMilliseconds: Int32
    /// Set while a transaction that must not wait for the write lock begins.
    private var failsInsteadOfWaiting = false
    private let sqliteInterrupter: SQLiteInterrupter
    private let rowIDKeys = SQLiteRowIDKeys()
    /// The cached statement that ran last, so a rowid read right after an INSERT needs no cache lookup.
    private var lastPersistent: OpaquePointer?
    /// The INSERT ``keyIsRowID(table:keyColumn:insert:)`` just looked up, for the `execute` that follows it:
    /// one statement-cache lookup (a hash of the SQL text) instead of two. Cleared by the next prepare, whatever
    /// it prepares, so it never outlives the statement's stay in the cache.
    private var preparedAhead: (sql: String, statement: OpaquePointer)?

    init(path: String, role: ConnectionRole, inMemory: Bool, configuration: SQLiteConfiguration) throws {
        guard sqlite3_libversion_number() >= 3_035_000 else {
            throw DatabaseError(kind: .other, code: "SQLITE_VERSION",
                                message: "SQLite 3.35 or later is required for RETURNING; found \(String(cString: sqlite3_libversion()))")
        }
        guard !path.utf8.contains(0) else {
            // The C API would stop at the NUL and open another file.
            throw DatabaseError(kind: .other, code: "SQLITE_CANTOPEN", numericCode: SQLITE_CANTOPEN,
                                message: "cannot open database: the path contains a NUL character")
        }
        isWriter = role == .writer
        var opened: OpaquePointer?
        let access = isWriter ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY
        let code = sqlite3_open_v2(path, &opened, access | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(opened)
            throw SQLiteErrorMapping.error(code: code, message: "cannot open database: \(message)")
        }
        handle = opened
        sqliteInterrupter = SQLiteInterrupter(handle: opened)
        statements = SQLiteStatementCache(capacity: configuration.statementCacheCapacity)
        // "Wait forever" (.seconds(Int64.max)) saturates at SQLite's largest timeout, about 24 days.
        busyTimeoutMilliseconds = Int32(clamping: configuration.busyTimeout.clampedMilliseconds)
        // From here on every stored property is set, so a throw runs deinit, which closes the handle: closing it
        // here as well would close it twice.
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        if isWriter && !inMemory {
            let mode = try pragma("journal_mode = WAL")
            guard mode?.lowercased() == "wal" else {
                throw DatabaseError(kind: .other, code: "SQLITE_WAL", message: "could not enable WAL mode (got \(mode ?? "nothing"))")
            }
        }
        _ = try pragma("synchronous = \(configuration.synchronous.rawValue)")
        _ = try pragma("foreign_keys = ON")
        // PostgreSQL's LIKE is case-sensitive; SQLite's is not unless asked. Same query, same rows.
        _ = try pragma("case_sensitive_like = ON")
    }

    deinit {
        sqliteInterrupter.detach()
        // The statements go before the handle: sqlite3_close_v2 would otherwise only mark it a zombie.
        statements.finalizeAll()
        sqlite3_close_v2(handle)
    }

    var isUsable: Bool { true }

    var transactionState: ConnectionTransactionState {
        // SQLite keeps no "aborted" state: a statement error leaves the transaction open, and the errors that
        // do end it (SQLITE_FULL, SQLITE_IOERR, an interrupt) leave autocommit on, which is `.none` here.
        sqlite3_get_autocommit(handle) != 0 ? .none : .active
    }

    var interrupter: (any ConnectionInterrupter)? { sqliteInterrupter }

    func transactionWillBegin(_ options: TransactionOptions) throws {
        refusesWrites = options.readOnly && isWriter
        if !options.readOnly && !options.waitForWriteLock {
            // BEGIN IMMEDIATE takes the write lock; with no busy wait it fails at once if another process has it.
            failsInsteadOfWaiting = true
            sqlite3_busy_timeout(handle, 0)
        }
    }

    func transactionDidEnd() {
        refusesWrites = false
        if failsInsteadOfWaiting {
            failsInsteadOfWaiting = false
            sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        }
    }

    func execute(_ statement: RenderedSQL) throws -> Int {
        try run(statement) { _ in }
    }

    @discardableResult
    func query(_ statement: RenderedSQL, _ body: (inout Row) throws -> Void) throws -> Int {
        try run(statement, body)
    }

    private func run(_ statement: RenderedSQL, _ body: (inout Row) throws -> Void) throws -> Int {
        let persistent = statement.caching == .persistent
        let prepared = try prepare(statement.text, persistent: persistent)
        lastPersistent = persistent ? prepared : nil
        var failed = false
        defer {
            if !persistent {
                sqlite3_finalize(prepared)
            } else if failed {
                statements.evict(statement.text)
            } else {
                sqlite3_reset(prepared)
                sqlite3_clear_bindings(prepared)
            }
        }
        if refusesWrites && sqlite3_stmt_readonly(prepared) == 0 {
            throw DatabaseError(kind: .readOnly, code: "SQLITE_READONLY", numericCode: SQLITE_READONLY,
                                message: "a read transaction cannot write: use db.write")
        }
        try bind(statement.binds, to: prepared)
        // sqlite3_changes keeps the count of the last INSERT/UPDATE/DELETE across other statements; a total that
        // did not move means this statement changed nothing.
        let totalBefore = sqlite3_total_changes64(handle)
        // Made on the first row: most writes return none.
        var cursor: SQLiteRowCursor?
        while true {
            let code = sqlite3_step(prepared)
            if code == SQLITE_ROW {
                let current = cursor ?? SQLiteRowCursor(statement: prepared)
                cursor = current
                var row = Row(cursor: current)
                try body(&row)
            } else if code == SQLITE_DONE {
                break
            } else {
                failed = true
                let error = lastError(code)
                if failsInsteadOfWaiting && error.kind == .busy {
                    throw SQLiteErrorMapping.writeLockHeld(code: error.numericCode ?? SQLITE_BUSY)
                }
                throw error
            }
        }
        return sqlite3_total_changes64(handle) == totalBefore ? 0 : Int(sqlite3_changes64(handle))
    }

    var hasRowIDs: Bool { true }

    func keyIsRowID(table: String, keyColumn: String, insert: String) throws -> Bool {
        var statement = try prepare(insert, persistent: true)
        let isRowID: Bool
        if let known = rowIDKeys.answer(for: statement) {
            isRowID = known
        } else {
            isRowID = try queryKeyIsRowID(table: table, keyColumn: keyColumn)
            // The query's own statement may have pushed the INSERT out of the cache (finalizing it).
            statement = try prepare(insert, persistent: true)
            rowIDKeys.record(isRowID, for: statement)
        }
        if isRowID { preparedAhead = (insert, statement) }
        return isRowID
    }

    func insertedRowIDKey(table: String, keyColumn: String, insert: String) throws -> Int64? {
        let rowID = sqlite3_last_insert_rowid(handle)
        if let statement = lastPersistent, insert.withCString({ strcmp($0, sqlite3_sql(statement)) == 0 }),
           rowIDKeys.answer(for: statement) == true {
            return rowID
        }
        // The schema changed between the check and the INSERT, which SQLite recompiled: ask again, and if the
        // key is no longer the rowid, read it by the rowid of the row just inserted.
        if try queryKeyIsRowID(table: table, keyColumn: keyColumn) { return rowID }
        let dialect = SQLiteDialect()
        let lookup = RenderedSQL(
            text: "SELECT \(dialect.quote(identifier: keyColumn)) FROM \(dialect.quote(identifier: table)) WHERE rowid = ?",
            binds: [.integer(rowID)], caching: .transient)
        var key: Int64?
        _ = try run(lookup) { row in key = try row.decode(Int64?.self, at: 0) }
        return key
    }

    private func queryKeyIsRowID(table: String, keyColumn: String) throws -> Bool {
        var isRowID = false
        _ = try run(RenderedSQL(text: SQLiteRowIDKeys.aliasQuery, binds: [.text(table), .text(keyColumn)])) { row in
            isRowID = try row.decode(Int64?.self, at: 0) == 1
        }
        return isRowID
    }

    private func prepare(_ sql: String, persistent: Bool) throws -> OpaquePointer {
        if let ahead = preparedAhead {
            preparedAhead = nil
            if persistent, ahead.sql == sql { return ahead.statement }
        }
        if persistent, let cached = statements.statement(for: sql) { return cached }
        var prepared: OpaquePointer?
        var trailing = false
        let code = sql.withCString { text -> Int32 in
            var tail: UnsafePointer<CChar>?
            let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
            let code = sqlite3_prepare_v3(handle, text, -1, flags, &prepared, &tail)
            if let tail {
                trailing = String(cString: tail).contains { !$0.isWhitespace && $0 != ";" }
            }
            return code
        }
        guard code == SQLITE_OK, let prepared else {
            throw lastError(code)
        }
        guard !trailing else {
            sqlite3_finalize(prepared)
            throw DatabaseError(kind: .invalidStatement, code: "SQLITE_MISUSE", numericCode: SQLITE_MISUSE,
                                message: "the SQL holds more than one statement; send them one at a time")
        }
        if persistent {
            statements.insert(prepared, for: sql)
            rowIDKeys.forget(prepared)
        }
        return prepared
    }

    private func bind(_ values: [DatabaseValue], to statement: OpaquePointer) throws {
        let expected = Int(sqlite3_bind_parameter_count(statement))
        guard expected == values.count else {
            throw DatabaseError(kind: .invalidStatement, code: "SQLITE_RANGE", numericCode: SQLITE_RANGE,
                                message: "the statement has \(expected) placeholders but \(values.count) values were given")
        }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null:
                code = sqlite3_bind_null(statement, index)
            case .integer(let integer):
                code = sqlite3_bind_int64(statement, index, integer)
            case .double(let double):
                code = sqlite3_bind_double(statement, index, double)
            case .bool(let bool):
                code = sqlite3_bind_int64(statement, index, bool ? 1 : 0)
            case .text(let text):
                code = bindText(text, to: statement, at: index)
            case .date(let date):
                code = bindText(try TimestampText.format(date), to: statement, at: index)
            case .uuid(let uuid):
                code = bindText(uuid.uuidString.lowercased(), to: statement, at: index)
            case .blob(let data):
                code = data.withUnsafeBytes { bytes -> Int32 in
                    guard let base = bytes.baseAddress, bytes.count > 0 else {
                        // A NULL pointer would bind NULL; an empty blob is a zero-length blob.
                        return sqlite3_bind_zeroblob(statement, index, 0)
                    }
                    return sqlite3_bind_blob64(statement, index, base, sqlite3_uint64(bytes.count), csqlite3_transient())
                }
            }
            guard code == SQLITE_OK else { throw lastError(code) }
        }
    }

    private func bindText(_ text: String, to statement: OpaquePointer, at index: Int32) -> Int32 {
        var text = text
        return text.withUTF8 { bytes in
            // withUTF8 may hand an empty string a nil base address, which SQLite would bind as NULL.
            guard let base = bytes.baseAddress else {
                return sqlite3_bind_text(statement, index, "", 0, csqlite3_transient())
            }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { characters in
                sqlite3_bind_text64(statement, index, characters, sqlite3_uint64(bytes.count), csqlite3_transient(),
                                    UInt8(SQLITE_UTF8))
            }
        }
    }

    private func pragma(_ text: String) throws -> String? {
        var result: String?
        _ = try run(RenderedSQL(text: "PRAGMA \(text)", binds: [], caching: .transient)) { row in
            if case .text(let value) = try row.value(at: 0) { result = value }
        }
        return result
    }

    private func lastError(_ code: Int32) -> DatabaseError {
        let extended = sqlite3_extended_errcode(handle)
        let message = String(cString: sqlite3_errmsg(handle))
        return SQLiteErrorMapping.error(code: extended != 0 ? extended : code, message: message)
    }
}

/// Calls sqlite3_interrupt from any thread, which SQLite allows while the handle is open; the shared handle keeps
/// a call from racing the close in deinit.
final class SQLiteInterrupter: ConnectionInterrupter {
    private let handle: SharedHandle

    init(handle: OpaquePointer) {
        self.handle = SharedHandle(handle)
    }

    func interrupt() {
        handle.withHandle { sqlite3_interrupt($0) }
    }

    /// Before the connection closes; the handle is the connection's to close.
    func detach() {
        handle.detach()
    }
}
