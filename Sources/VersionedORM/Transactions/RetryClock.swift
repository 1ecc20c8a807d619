/// The time source a ``RetryPolicy`` reads and sleeps on. Tests inject one that records sleeps and advances
/// instantly, so retry timing is asserted exactly rather than measured.
public struct RetryClock: Sendable {
    /// Monotonic time elapsed since an arbitrary origin.
    public let now: @Sendable () -> Duration
    /// Waits the given duration; throws when the task is cancelled, which ends the retry run.
    public let sleep: @Sendable (Duration) async throws -> Void

    /// A clock made of its two functions; `now` must never go backwards.
    public init(now: @escaping @Sendable () -> Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) {
        self.now = now
        self.sleep = sleep
    }

    /// Any Swift `Clock` measured in `Duration`: its time since this call, and its `sleep(for:)`. Tests give it a
    /// clock that does not wait — swift-clocks' `ImmediateClock` or `TestClock`, or `ManualRetryClock` of
    /// `VersionedORMTesting`, which also records the waits.
    public init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        self.init(now: { origin.duration(to: clock.now) }, sleep: { try await clock.sleep(for: $0) })
    }

    /// The real clock: `ContinuousClock`, whose `sleep(for:)` is `Task.sleep`.
    public static var continuous: RetryClock { RetryClock(ContinuousClock()) }
}
