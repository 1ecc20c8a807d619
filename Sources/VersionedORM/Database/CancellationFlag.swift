import Synchronization

/// Set when the task waiting for a lane's work is cancelled. The work runs on the lane's thread, outside any
/// task, so it reads this flag instead of `Task.isCancelled`: before each statement, and before COMMIT.
final class CancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)

    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    func cancel() {
        cancelled.store(true, ordering: .releasing)
    }
}
