import Synchronization
import VersionedORM

/// A clock for `RetryPolicy` that never sleeps: each backoff wait moves its time forward at once and is
/// recorded, so a test of many retries, deadlines included, takes no time and can assert the waits.
///
/// ```swift
/// let clock = ManualRetryClock()
/// let policy = RetryPolicy(backoff: .exponential(base: .seconds(1), cap: .seconds(30)), clock: clock.retryClock,
///                          jitter: { $0 })        // no jitter: waits of 1, 2, 4 … seconds
/// ```
public final class ManualRetryClock: Sendable {
    private struct State {
        var now: Duration = .zero
        var sleeps: [Duration] = []
    }

    private let state = Mutex(State())

    /// A clock at time zero.
    public init() {}

    /// The clock to give `RetryPolicy`'s `clock:`.
    public var retryClock: RetryClock {
        RetryClock(now: { [self] in state.withLock { $0.now } },
                   sleep: { [self] duration in
                       try Task.checkCancellation()
                       state.withLock { state in
                           state.now += duration
                           state.sleeps.append(duration)
                       }
                   })
    }

    /// The waits the policy asked for, in order.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }

    /// The time since the clock was made, the waits included.
    public var now: Duration { state.withLock { $0.now } }

    /// Moves the time forward, as work that takes `duration` would (to reach a policy's deadline).
    public func advance(by duration: Duration) {
        state.withLock { $0.now += duration }
    }
}
