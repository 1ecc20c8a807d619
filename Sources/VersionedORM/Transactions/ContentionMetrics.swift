import Metrics

/// Contention counters, per model, through swift-metrics: whatever metrics backend the application bootstrapped
/// receives them (none bootstrapped: they cost a no-op call).
///
/// | label | type | when |
/// |---|---|---|
/// | `versioned_orm.conflicts` | counter | a versioned write found its row changed or deleted |
/// | `versioned_orm.retries` | counter | a retry policy started another attempt (dimension `reason`) |
/// | `versioned_orm.lock_waits` | timer | time a pessimistic modification waited to lock its row |
/// | `versioned_orm.lock_timeouts` | counter | a lock could not be had (NOWAIT, busy timeout, SKIP LOCKED skipped it) |
/// | `versioned_orm.adaptive_attempts` | counter | an attempt of `.adaptive` ran (dimension `mode`: `optimistic` or `pessimistic`); in a unit of work on PostgreSQL, also each read its first attempt locked because the row was hot (`mode` `locked-read`) |
/// | `versioned_orm.replica_fallbacks` | counter | a read asked for a commit token the replica had not reached in time, and ran on the primary |
///
/// Every metric but the replica fallbacks has the dimension `model` (the Swift type name, or `transaction` for
/// the retries of a whole `write`).
public enum ContentionMetrics {
    /// Counter: a versioned write found its row changed or deleted. Dimension `model`.
    public static let conflictsLabel = "versioned_orm.conflicts"
    /// Counter: a retry policy started another attempt. Dimensions `model` (or `transaction`) and `reason`
    /// (`stale`, a `DatabaseError` kind name such as `transientConflict`, or `other`).
    public static let retriesLabel = "versioned_orm.retries"
    /// Timer, in nanoseconds: how long a pessimistic modification waited to lock its row. Dimension `model`.
    public static let lockWaitsLabel = "versioned_orm.lock_waits"
    /// Counter: a lock could not be had (NOWAIT, a busy timeout, or SKIP LOCKED skipping the row). Dimension
    /// `model`.
    public static let lockTimeoutsLabel = "versioned_orm.lock_timeouts"
    /// Counter: a read asked for a commit token the replica had not reached in time, and ran on the primary. No
    /// dimensions.
    public static let replicaFallbacksLabel = "versioned_orm.replica_fallbacks"
    /// Counter: an attempt of `.adaptive` ran, or a unit of work locked a hot row's first read. Dimensions
    /// `model` and `mode` (`optimistic`, `pessimistic` or `locked-read`).
    public static let adaptiveAttemptsLabel = "versioned_orm.adaptive_attempts"

    static func recordAdaptiveAttempt(model: String, pessimistic: Bool) {
        Counter(label: adaptiveAttemptsLabel, dimensions: [("model", model), ("mode", pessimistic ? "pessimistic" : "optimistic")])
            .increment()
    }

    static func recordAdaptiveLockedRead(model: String) {
        Counter(label: adaptiveAttemptsLabel, dimensions: [("model", model), ("mode", "locked-read")]).increment()
    }

    static func recordReplicaFallback() {
        Counter(label: replicaFallbacksLabel).increment()
    }

    static func recordConflict(model: String) {
        Counter(label: conflictsLabel, dimensions: [("model", model)]).increment()
    }

    static func recordRetry(model: String, reason: any Error) {
        let kind: String
        switch reason {
        case is StaleRecordError: kind = "stale"
        case let error as DatabaseError: kind = error.kind.name
        default: kind = "other"
        }
        Counter(label: retriesLabel, dimensions: [("model", model), ("reason", kind)]).increment()
    }

    static func recordLockWait(model: String, duration: Duration) {
        let (seconds, attoseconds) = duration.components
        Metrics.Timer(label: lockWaitsLabel, dimensions: [("model", model)])
            .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    static func recordLockTimeout(model: String) {
        Counter(label: lockTimeoutsLabel, dimensions: [("model", model)]).increment()
    }
}
