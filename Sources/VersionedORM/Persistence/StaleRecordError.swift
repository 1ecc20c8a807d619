/// A versioned write changed no row: someone else changed or deleted the row since this value was read.
///
/// The value the write was called with is left exactly as it was. Reload the row and apply the change again, or
/// tell the user their copy is out of date.
public struct StaleRecordError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What the row looks like now.
    public enum CurrentState: Sendable, Equatable, CustomStringConvertible {
        /// The row exists with another version.
        case modified(currentVersion: Int64)
        /// The row no longer exists.
        case deleted

        public var description: String {
            switch self {
            case .modified(let version): "modified (now version \(version))"
            case .deleted: "deleted"
            }
        }
    }

    /// The model's Swift type name (`"Account"`).
    public let model: String
    /// The table the write was sent to: the model's own, or the one the transaction bound it to.
    public let table: String
    /// The row's key; `primaryKey.base` has the key's own type.
    public let primaryKey: AnyPrimaryKey
    /// The version the write expected, the one the value held.
    public let expectedVersion: Int64
    /// Whether the row now has another version or no longer exists.
    public let current: CurrentState
    /// The operation that failed: `save`, `update`, `delete` or `touch`.
    public let operation: WriteOperation
    /// How many attempts a retry policy ran before this error ended the run; 1 without a policy.
    public internal(set) var attempts: Int = 1
    /// Why the retry policy that ran the write gave up on it, or nil when none did (no policy, or `.never`'s
    /// single attempt counts as giving up on `.attempts`).
    public internal(set) var retriesExhausted: RetryGiveUp?

    /// The error as the library throws it: ``attempts`` starts at 1 and ``retriesExhausted`` at nil.
    public init(model: String, table: String, primaryKey: AnyPrimaryKey, expectedVersion: Int64, current: CurrentState,
                operation: WriteOperation) {
        self.model = model
        self.table = table
        self.primaryKey = primaryKey
        self.expectedVersion = expectedVersion
        self.current = current
        self.operation = operation
    }

    public var description: String {
        var text = "stale \(model) id \(primaryKey): \(operation) expected version \(expectedVersion), but the row was \(current)"
        if let retriesExhausted {
            text += "; gave up after \(attempts) attempt\(attempts == 1 ? "" : "s")"
            text += retriesExhausted == .deadline ? " (deadline)" : ""
        }
        return text
    }
}
