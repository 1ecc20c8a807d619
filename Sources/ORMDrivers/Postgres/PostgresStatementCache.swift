import CLibPQ
import VersionedORM

/// A connection's named prepared statements, by SQL text and parameter types, least recently used evicted one
/// at a time.
///
/// Names carry a random part per connection (`vorm_1f3a9c2e_17`), so statements of two clients that a pooler
/// mixes up never share a name: the mix-up fails with `.preparedStatementMismatch` instead of running the other
/// client's statement.
final class PostgresStatementCache {
    struct Key: Hashable {
        let sql: String
        let types: [Oid]
    }

    private let prefix = "vorm_\(String(UInt32.random(in: .min ... .max), radix: 16))_"
    private let names: LeastRecentlyUsed<Key, String>
    private var counter = 0
    /// Evicted statements the server may still hold, because deallocating them failed (inside an aborted
    /// transaction); deallocated again when the connection is idle.
    private(set) var orphans: [String] = []

    init(capacity: Int) {
        names = LeastRecentlyUsed(capacity: capacity)
    }

    func name(for key: Key) -> String? {
        names.value(for: key)
    }

    /// A name no statement of this connection ever had.
    func nextName() -> String {
        counter += 1
        return prefix + String(counter)
    }

    /// Records a prepared statement; returns the name of the one evicted to make room, which the caller
    /// deallocates on the server.
    func insert(_ name: String, for key: Key) -> String? {
        names.insert(name, for: key)
    }

    /// Forgets a statement the server no longer has (26000) or can no longer run (0A000, a changed table).
    func remove(_ key: Key) {
        _ = names.removeValue(for: key)
    }

    func orphaned(_ name: String) {
        orphans.append(name)
    }

    func adoptOrphans() -> [String] {
        defer { orphans.removeAll() }
        return orphans
    }
}
