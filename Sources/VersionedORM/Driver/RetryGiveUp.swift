/// Why a retry policy stopped retrying, as the errors it gives up on record it (``DatabaseError`` and
/// `StaleRecordError` carry it, so it lives with the lowest of them).
public enum RetryGiveUp: Sendable, Equatable {
    /// `maxAttempts` attempts ran.
    case attempts
    /// The next retry would have started after the deadline.
    case deadline
}
