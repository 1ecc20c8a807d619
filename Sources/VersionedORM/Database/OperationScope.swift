import Logging

/// What one operation carries onto its connection's thread: the flag its task's cancellation sets, the
/// instrument watching it, and the logger its logs go to.
struct OperationScope: Sendable {
    /// Set when the task running the operation is cancelled; nil for the blocking API.
    let cancellation: CancellationFlag?
    let observer: (any DatabaseOperationObserver)?
    let logger: Logger
}
