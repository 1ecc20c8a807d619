/// How ``Database/modify(_:id:using:_:)`` protects a read-modify-write of one row. Choosing one is one argument,
/// not a rewrite; every strategy but `.naive` never loses an update.
public enum LockStrategy: Sendable {
    /// Read, change in Swift, write back the changed columns with no version check. Two concurrent
    /// modifications can both read the same value and one write silently undoes the other. **Unsafe**: it exists
    /// to show lost updates, as the baseline a benchmark compares against.
    case naive
    /// Read (no lock held), change, then a versioned update of the changed columns; when another writer got there
    /// first, the whole read-change-write runs again under `retry`. Best when conflicts are rare: nobody waits.
    case optimistic(retry: RetryPolicy)
    /// Lock the row before reading it and hold the lock until commit: PostgreSQL `SELECT … FOR UPDATE [NOWAIT |
    /// SKIP LOCKED]`; SQLite `BEGIN IMMEDIATE` (its database-wide write lock; no lock clause is sent). Writers
    /// queue instead of retrying: best when the same rows are hot.
    case pessimistic(RowLockWait)
    /// Optimistic, but after a conflict it reloads the row and, when the other writer changed none of the columns
    /// this modification changed, re-applies this modification's column values to the fresh row instead of
    /// re-running the closure; when they overlap, the closure runs again on the fresh row. Nothing is lost either way.
    case merge(retry: RetryPolicy)
    /// Optimistic while the row is cold, pessimistic while it is hot, by the row's recent conflicts (see
    /// ``AdaptiveLocking``): no lock and no waiting when writers rarely meet, queueing instead of retrying when
    /// they keep meeting on the same rows. Never loses an update in either mode. Each attempt's choice is counted
    /// (`versioned_orm.adaptive_attempts`, dimensions `model` and `mode`) and logged at debug level.
    case adaptive(AdaptiveLocking)

    /// ``adaptive(_:)`` with its default knobs.
    public static var adaptive: LockStrategy { .adaptive(AdaptiveLocking()) }
}

/// The row as saved and how many attempts it took (1 when nothing had to be retried).
public struct Modification<M: Model>: Sendable {
    /// The row as saved.
    public let value: M
    /// Attempts run, the successful one included.
    public let attempts: Int
}

/// A modification found no row to change.
public enum ModificationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No row has this key.
    case notFound(model: String, id: AnyPrimaryKey)
    /// `.pessimistic(.skipLocked)` found the row locked by another transaction and left it alone.
    case skippedLocked(model: String, id: AnyPrimaryKey)
    /// `modify(where:)` found no row matching its filter.
    case noMatch(model: String)
    /// `modify(where:)` found more than one row matching its filter, which must name one row.
    case notUnique(model: String)

    public var description: String {
        switch self {
        case .notFound(let model, let id): "no \(model) with id \(id)"
        case .skippedLocked(let model, let id): "\(model) id \(id) is locked by another transaction; skipped"
        case .noMatch(let model): "no \(model) matches the filter"
        case .notUnique(let model): "more than one \(model) matches the filter; modify(where:) changes one row"
        }
    }
}
