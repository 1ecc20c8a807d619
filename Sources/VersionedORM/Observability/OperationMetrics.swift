import Metrics

/// The metrics every operation records beside the contention counters, created once per `Database` so the
/// hot path looks nothing up: time per operation, time waiting for a pooled connection, pool timeouts, and
/// errors by kind.
///
/// - `versioned_orm.operation_duration` (timer; dimensions `db.system.name`, `operation`): from the call to
///   its return, the wait for a connection included.
/// - `versioned_orm.connection_wait` (timer; `db.system.name`): from the call until a connection was free.
/// - `versioned_orm.connection_timeouts` (counter; `db.system.name`): waits that gave up
///   (``UsageError/connectionTimeout(seconds:)``).
/// - `versioned_orm.errors` (counter; `db.system.name`, `error.type`): operations that failed, by the
///   ``DatabaseError/Kind-swift.struct`` or the library's error type (`stale`, `usage`, …), or another error's type name.
package final class OperationMetrics: Sendable {
    let system: String
    private let durations: [String: Timer]
    private let connectionWait: Timer
    private let connectionTimeouts: Counter

    init(system: String) {
        self.system = system
        var durations: [String: Timer] = [:]
        for operation in ["write", "read", "autocommit"] {
            durations[operation] = Timer(label: "versioned_orm.operation_duration",
                                         dimensions: [("db.system.name", system), ("operation", operation)])
        }
        self.durations = durations
        connectionWait = Timer(label: "versioned_orm.connection_wait", dimensions: [("db.system.name", system)])
        connectionTimeouts = Counter(label: "versioned_orm.connection_timeouts", dimensions: [("db.system.name", system)])
    }

    func recordWait(_ waited: Duration) {
        connectionWait.recordNanoseconds(waited.clampedNanoseconds)
    }

    func recordFinished(_ operation: String, duration: Duration, error: (any Error)?) {
        durations[operation]?.recordNanoseconds(duration.clampedNanoseconds)
        guard let error else { return }
        if case UsageError.connectionTimeout = error { connectionTimeouts.increment() }
        // Errors are rare: a counter per kind is made when one happens, not kept around.
        Counter(label: "versioned_orm.errors", dimensions: [("db.system.name", system), ("error.type", Self.errorType(error))])
            .increment()
    }

    /// OpenTelemetry's `error.type`: a low-cardinality name of what went wrong — the ``DatabaseError`` kind,
    /// the library's own error types by a short name, and any other error by its type's name. Spans use it too.
    package static func errorType(_ error: any Error) -> String {
        switch error {
        case let database as DatabaseError: database.kind.description
        case is StaleRecordError: "stale"
        case is UsageError: "usage"
        case is PersistenceError: "persistence"
        case is ModificationError: "modification"
        case is SchemaError: "schema"
        case is CancellationError: "cancelled"
        default: String(describing: type(of: error))
        }
    }
}
