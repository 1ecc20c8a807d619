/// The library was called in a way it cannot honour. Each case names what to do instead.
public enum UsageError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A write was attempted inside `read`.
    case writeInReadTransaction(String)
    /// A transaction object was used after its closure returned.
    case transactionFinished
    /// `write` or `read` was called from inside another transaction's closure on the same database.
    case nestedTransaction
    /// No connection became free within the pool's timeout.
    case connectionTimeout(seconds: Double)
    /// The database was closed.
    case databaseClosed
    /// An argument is out of its allowed range.
    case invalidArgument(String)
    /// A `forUpdate` query ran in a read transaction, where a row lock cannot be held.
    case rowLockOutsideWriteTransaction
    /// A statement was sent from inside a `fetchEach` closure, while the rows were still arriving.
    case statementDuringRowStream

    public var description: String {
        switch self {
        case .writeInReadTransaction(let operation):
            "\(operation) is a write and cannot run inside a read transaction: use db.write"
        case .transactionFinished:
            "the transaction has ended: use the Transaction only inside its closure"
        case .nestedTransaction:
            "write/read called inside a transaction closure: use tx.savepoint for nested work"
        case .connectionTimeout(let seconds):
            "no database connection became free within \(seconds) s"
        case .databaseClosed:
            "the database is closed"
        case .invalidArgument(let message):
            "invalid argument: \(message)"
        case .rowLockOutsideWriteTransaction:
            "forUpdate locks rows until the transaction ends, so it needs a write transaction: use db.write"
        case .statementDuringRowStream:
            "fetchEach hands over rows while the connection is still reading them, so its closure cannot run "
                + "statements: collect what to write and write it after fetchEach returns, or walk the table in chunks "
                + "with db.updateEach"
        }
    }
}
