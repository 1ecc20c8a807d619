/// How a transaction is opened.
public struct TransactionOptions: Sendable, Hashable {
    public enum IsolationLevel: String, Sendable, Hashable {
        case readCommitted = "READ COMMITTED"
        case repeatableRead = "REPEATABLE READ"
        case serializable = "SERIALIZABLE"
    }

    /// The isolation level; nil keeps the database's default. SQLite transactions are always serializable, so
    /// SQLite accepts every level.
    public var isolation: IsolationLevel?
    public var readOnly: Bool

    public init(isolation: IsolationLevel? = nil, readOnly: Bool = false) {
        self.isolation = isolation
        self.readOnly = readOnly
    }

    public static let readWrite = TransactionOptions()
    public static let readOnly = TransactionOptions(readOnly: true)
}
