/// The bookkeeping the drivers' statement caches share: values by key, and the least recently used one evicted
/// when another would pass the capacity. Not synchronized: each connection, confined to its lane, has its own.
///
/// Inlinable, so each driver gets it specialized for its key and value types: it runs for every statement.
package final class LeastRecentlyUsed<Key: Hashable, Value> {
    @usableFromInline var entries: [Key: (value: Value, lastUse: UInt64)] = [:]
    @usableFromInline var clock: UInt64 = 0
    @usableFromInline let capacity: Int

    @inlinable
    package init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    @inlinable
    package var values: [Value] { entries.values.map(\.value) }

    /// The value for `key`, which now counts as the most recently used.
    @inlinable
    package func value(for key: Key) -> Value? {
        // One hash of the key (a statement's SQL text): the use is recorded through the index.
        guard let index = entries.index(forKey: key) else { return nil }
        clock += 1
        entries.values[index].lastUse = clock
        return entries.values[index].value
    }

    /// Adds a value; returns the one evicted to make room, for the caller to free.
    @inlinable
    package func insert(_ value: Value, for key: Key) -> Value? {
        var evicted: Value?
        if entries[key] == nil, entries.count >= capacity,
           let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            evicted = oldest.value.value
            entries.removeValue(forKey: oldest.key)
        }
        clock += 1
        entries[key] = (value, clock)
        return evicted
    }

    @inlinable
    package func removeValue(for key: Key) -> Value? {
        entries.removeValue(forKey: key)?.value
    }

    @inlinable
    package func removeAll() -> [Value] {
        defer { entries.removeAll() }
        return values
    }
}
