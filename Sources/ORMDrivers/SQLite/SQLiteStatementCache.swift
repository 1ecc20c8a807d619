import CSQLite3

/// A connection's prepared statements, by SQL text, least recently used evicted one at a time.
///
/// Only statements marked persistent are kept (prepared with SQLITE_PREPARE_PERSISTENT); transient ones are
/// prepared for one use and finalized by the caller.
final class SQLiteStatementCache {
    private struct Entry {
        let statement: OpaquePointer
        var lastUse: UInt64
    }

    private let capacity: Int
    private var entries: [String: Entry] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    deinit {
        finalizeAll()
    }

    func finalizeAll() {
        for entry in entries.values { sqlite3_finalize(entry.statement) }
        entries.removeAll()
    }

    func statement(for sql: String) -> OpaquePointer? {
        guard var entry = entries[sql] else { return nil }
        clock += 1
        entry.lastUse = clock
        entries[sql] = entry
        return entry.statement
    }

    func insert(_ statement: OpaquePointer, for sql: String) {
        if entries.count >= capacity, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            sqlite3_finalize(oldest.value.statement)
            entries.removeValue(forKey: oldest.key)
        }
        clock += 1
        entries[sql] = Entry(statement: statement, lastUse: clock)
    }

    /// Finalizes and forgets the statement: after a failed step it is prepared afresh on next use, as GRDB does (a
    /// schema change or an interrupted step can leave it in a state not worth trusting).
    func evict(_ sql: String) {
        if let entry = entries.removeValue(forKey: sql) { sqlite3_finalize(entry.statement) }
    }
}
