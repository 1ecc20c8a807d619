/// The time source a ``RetryPolicy`` reads and sleeps on. Tests inject one that records sleeps and advances
/// instantly, so retry timing is asserted exactly rather than measured.
public struct RetryClock: Sendable {
    /// Monotonic time elapsed since an arbitrary origin.
    public let now: @Sendable () -> Duration
    public let sleep: @Sendable (Duration) async throws -> Void

    public init(now: @escaping @Sendable () -> Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) {
        self.now = now
        self.sleep = sleep
    }

    /// The real clock: `ContinuousClock`, and `Task.sleep`.
    public static var continuous: RetryClock {
        let origin = ContinuousClock.now
        return RetryClock(now: { origin.duration(to: .now) }, sleep: { try await Task.sleep(for: $0) })
    }
}
