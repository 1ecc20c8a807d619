/// A write was refused before anything was sent, because the value cannot be written as asked.
public enum PersistenceError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The value has no primary key or a version of 0: it was never inserted (or not read from the database).
    case notInserted(model: String, operation: WriteOperation)
    /// The value's version is negative: it did not come from this library.
    case invalidVersion(model: String, version: Int64)
    /// The version is Int64.max and cannot be bumped. `primaryKey` is nil for a bulk update, which changed no row.
    case versionOverflow(model: String, primaryKey: AnyPrimaryKey?)
    /// A column list named a property that is not a column of the schema.
    case unknownColumn(model: String, property: String)
    /// An `update` closure changed the primary key or the version, which the library owns.
    case identityChanged(model: String)
    /// A statement changed more rows than the primary key allows; the table's key is not unique.
    case unexpectedRowCount(model: String, operation: WriteOperation, count: Int)

    public var description: String {
        switch self {
        case .notInserted(let model, let operation):
            "cannot \(operation) \(model): it has no primary key or version yet; insert it first"
        case .invalidVersion(let model, let version):
            "cannot write \(model): version \(version) is not a version the library wrote"
        case .versionOverflow(let model, let key?):
            "cannot write \(model) id \(key): its version is Int64.max and cannot be incremented"
        case .versionOverflow(let model, nil):
            "cannot update \(model): a row's version is Int64.max and cannot be incremented; no row was changed"
        case .unknownColumn(let model, let property):
            "\(model) has no column for property \(property)"
        case .identityChanged(let model):
            "an update closure changed \(model)'s primary key or version; those belong to the library"
        case .unexpectedRowCount(let model, let operation, let count):
            "\(operation) of \(model) changed \(count) rows; its primary key is not unique"
        }
    }
}
