/// The bookkeeping the drivers' statement caches share: values by key, and the least recently used one evicted
/// when another would pass the capacity. Not synchronized: each connection, confined to its lane, has its own.
///
/// Inlinable, so each driver gets it specialized for its key and value types: it runs for every statement.
package final class LeastRecentlyUsed<Key: Hashable, Value> {
    /// A box per entry, so recording a use changes the box, not the dictionary.
    @usableFromInline final class Entry {
        @usableFromInline let value: Value
        @usableFromInline var lastUse: UInt64
        @usableFromInline init(value: Value, lastUse: UInt64) {
            self.value = value
            self.lastUse = lastUse
        }
    }

    @usableFromInline var entries: [Key: Entry] = [:]
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
        // One hash of the key (a statement's SQL text), and no write to the dictionary.
        guard let entry = entries[key] else { return nil }
        clock += 1
        entry.lastUse = clock
        return entry.value
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
        entries[key] = Entry(value: value, lastUse: clock)
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
