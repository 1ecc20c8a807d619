import Logging

/// One operation as metrics and the configured instrument see it, from the call to its end: made in the calling
/// task, told when a connection is free and when the operation ends.
struct OperationWatch: Sendable {
    let name: String
    let observer: (any DatabaseOperationObserver)?
    let logger: Logger
    let metrics: OperationMetrics
    let requested = ContinuousClock.now

    /// On the connection's thread, once it is the operation's: records the wait and gives the scope the
    /// operation's statements run in.
    func acquired(cancellation: CancellationFlag?) -> OperationScope {
        let waited = requested.duration(to: .now)
        metrics.recordWait(waited)
        observer?.connectionAcquired(after: waited)
        return OperationScope(cancellation: cancellation, observer: observer, logger: logger)
    }

    /// The operation returned (`error` nil) or threw.
    func finished(error: (any Error)?) {
        metrics.recordFinished(name, duration: requested.duration(to: .now), error: error)
        observer?.operationFinished(error: error)
    }
}
