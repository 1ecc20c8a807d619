import CSQLite3
import VersionedORM

/// A connection's prepared statements, by SQL text, least recently used evicted (and finalized) one at a time.
///
/// Only statements marked persistent are kept (prepared with SQLITE_PREPARE_PERSISTENT); transient ones are
/// prepared for one use and finalized by the caller.
final class SQLiteStatementCache {
    private let statements: LeastRecentlyUsed<String, OpaquePointer>

    init(capacity: Int) {
        statements = LeastRecentlyUsed(capacity: capacity)
    }

    deinit {
        finalizeAll()
    }

    func statement(for sql: String) -> OpaquePointer? {
        statements.value(for: sql)
    }

    func insert(_ statement: OpaquePointer, for sql: String) {
        if let evicted = statements.insert(statement, for: sql) { sqlite3_finalize(evicted) }
    }

    /// Finalizes and forgets the statement: after a failed step it is prepared afresh on next use, as GRDB does (a
    /// schema change or an interrupted step can leave it in a state not worth trusting).
    func evict(_ sql: String) {
        if let statement = statements.removeValue(for: sql) { sqlite3_finalize(statement) }
    }

    func finalizeAll() {
        for statement in statements.removeAll() { sqlite3_finalize(statement) }
    }
}
