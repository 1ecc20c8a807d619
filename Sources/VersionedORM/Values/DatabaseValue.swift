import Foundation

/// One value as it travels between Swift and a database: a bound parameter or a column read back.
///
/// The cases are semantic rather than one database's storage classes, so each driver can choose its natural
/// representation: SQLite stores `.bool` as an integer and `.date` as text, PostgreSQL uses BOOLEAN and
/// TIMESTAMPTZ.
public enum DatabaseValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case double(Double)
    case text(String)
    case blob(Data)
    case bool(Bool)
    case date(Date)
    case uuid(UUID)

    /// True for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The name of the case, safe to print: it never contains the value itself.
    public var kindName: String {
        switch self {
        case .null: "NULL"
        case .integer: "integer"
        case .double: "double"
        case .text: "text"
        case .blob: "blob"
        case .bool: "bool"
        case .date: "date"
        case .uuid: "uuid"
        }
    }
}
