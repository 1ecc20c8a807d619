/// An index over one or more columns of a model's table, created with it by
/// ``Transaction/createTable(_:ifNotExists:)``; `unique: true` makes the combination unique.
///
/// ```swift
/// Schema(table: "lines", primaryKey: \.id, version: \.version,
///        indexes: [TableIndex(\.orderID, \.position, unique: true)]) { … }
/// ```
///
/// Unnamed, an index is called `<table>_<columns>_idx` (`_key` when unique), shortened with a hash of the full
/// name when that would pass PostgreSQL's 63-byte limit; a table bound to another name gets its own.
public struct TableIndex<M>: Sendable {
    /// The indexed properties, in index order.
    public let keyPaths: [PartialKeyPath<M> & Sendable]
    /// Whether no two rows may hold the same combination of values.
    public let isUnique: Bool
    /// The index's name, when given; validated like every identifier.
    public let name: String?

    /// An index over `keyPaths`, which must be mapped properties of the model.
    public init(_ keyPaths: (PartialKeyPath<M> & Sendable)..., unique: Bool = false, name: String? = nil) {
        self.keyPaths = keyPaths
        isUnique = unique
        self.name = name
    }
}

/// An index with its columns named, as a schema resolves it.
struct ResolvedIndex: Sendable {
    let columns: [String]
    let isUnique: Bool
    let name: String?

    /// The given name, or one derived from the table and columns that fits an identifier.
    func name(onTable table: String) -> String {
        if let name { return name }
        let derived = ([table] + columns + [isUnique ? "key" : "idx"]).joined(separator: "_")
        if derived.utf8.count <= Identifier.maximumLength { return derived }
        // FNV-1a: stable across runs and platforms, unlike Hasher, so every process derives the same name.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in derived.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let folded = UInt32(truncatingIfNeeded: hash ^ (hash >> 32))
        let digits = String(folded, radix: 16)
        let suffix = String(repeating: "0", count: 8 - digits.count) + digits
        return String(decoding: derived.utf8.prefix(Identifier.maximumLength - suffix.count - 1), as: UTF8.self)
            + "_" + suffix
    }
}
