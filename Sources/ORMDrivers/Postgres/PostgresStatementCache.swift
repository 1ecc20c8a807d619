import CLibPQ

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

    private struct Entry {
        let name: String
        var lastUse: UInt64
    }

    private let capacity: Int
    private let prefix = "vorm_\(String(UInt32.random(in: .min ... .max), radix: 16))_"
    private var entries: [Key: Entry] = [:]
    private var counter = 0
    private var clock: UInt64 = 0
    /// Evicted statements the server may still hold, because deallocating them failed (inside an aborted
    /// transaction); deallocated again when the connection is idle.
    private(set) var orphans: [String] = []

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    func name(for key: Key) -> String? {
        guard var entry = entries[key] else { return nil }
        clock += 1
        entry.lastUse = clock
        entries[key] = entry
        return entry.name
    }

    /// A name no statement of this connection ever had.
    func nextName() -> String {
        counter += 1
        return prefix + String(counter)
    }

    /// Records a prepared statement; returns the name of the one evicted to make room, which the caller
    /// deallocates on the server.
    func insert(_ name: String, for key: Key) -> String? {
        var evicted: String?
        if entries.count >= capacity, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            evicted = oldest.value.name
            entries.removeValue(forKey: oldest.key)
        }
        clock += 1
        entries[key] = Entry(name: name, lastUse: clock)
        return evicted
    }

    /// Forgets a statement the server no longer has (26000) or can no longer run (0A000, a changed table).
    func remove(_ key: Key) {
        entries.removeValue(forKey: key)
    }

    func orphaned(_ name: String) {
        orphans.append(name)
    }

    func adoptOrphans() -> [String] {
        defer { orphans.removeAll() }
        return orphans
    }
}
