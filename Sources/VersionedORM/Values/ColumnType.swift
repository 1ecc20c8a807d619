/// The storage a Swift type asks for when `createTable` declares its column.
///
/// Each dialect maps a storage to its own SQL type (SQLite `INTEGER`, PostgreSQL `BIGINT`, …).
public struct ColumnType: Sendable, Hashable {
    public enum Storage: Sendable, Hashable {
        case integer64
        case integer32
        case double
        case text
        case blob
        case boolean
        case timestamp
        case uuid
    }

    public var storage: Storage
    public var isNullable: Bool

    public init(_ storage: Storage, isNullable: Bool = false) {
        self.storage = storage
        self.isNullable = isNullable
    }
}
