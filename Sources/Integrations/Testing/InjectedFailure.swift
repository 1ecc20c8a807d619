import VersionedORM

/// A failure ``DatabaseFaults`` makes statements fail with, as the database would report it.
public enum InjectedFailure: Sendable, Equatable {
    /// PostgreSQL's serialization failure (SQLSTATE 40001): retried by a `RetryPolicy`.
    case serializationFailure
    /// PostgreSQL's deadlock (40P01): retried by a `RetryPolicy`.
    case deadlock
    /// SQLite's `SQLITE_BUSY`: another connection held the lock past the busy timeout; retried.
    case busy
    /// A unique constraint refused the write (23505 / `SQLITE_CONSTRAINT_UNIQUE`): not retried.
    case uniqueViolation

    /// The error the statement fails with.
    public var error: DatabaseError {
        switch self {
        case .serializationFailure:
            DatabaseError(kind: .transientConflict, code: "40001", message: "injected serialization failure")
        case .deadlock:
            DatabaseError(kind: .transientConflict, code: "40P01", message: "injected deadlock")
        case .busy:
            DatabaseError(kind: .busy, code: "SQLITE_BUSY", numericCode: 5, message: "injected: database is locked")
        case .uniqueViolation:
            DatabaseError(kind: .uniqueViolation, code: "23505", message: "injected unique violation")
        }
    }
}
