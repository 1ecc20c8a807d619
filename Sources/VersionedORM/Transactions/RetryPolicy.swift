/// How a write that lost a race is tried again: how many attempts, how long to wait between them, and for how
/// long in all.
///
/// A policy retries exactly the failures another attempt can fix: ``StaleRecordError`` (someone else wrote the
/// row first), transient database conflicts (`DatabaseError.isTransient`: PostgreSQL serialization failures
/// and deadlocks, SQLite busy and locked) and a connection lost before COMMIT was sent (`.connectionLost`:
/// nothing was committed). Every attempt runs the whole operation again, with fresh reads in a new transaction,
/// so a stale version is never sent twice. A connection lost during COMMIT (`.commitOutcomeUnknown`) may have
/// committed: it is retried only when ``idempotent`` says running the work twice is harmless. Any other error,
/// and cancellation of the calling task, ends the run at once.
///
/// When the policy gives up it throws the last attempt's own error — a ``StaleRecordError`` or a
/// ``DatabaseError`` — with its `attempts` and `retriesExhausted` filled in, so `catch let stale as
/// StaleRecordError` catches a conflict whether or not a policy ran it, `.never` included.
///
/// The default gives up after a deadline of 10 seconds rather than a count of attempts: on a hot row a writer
/// may lose many races in a row, and a count that is plenty on a cold row gives up there. Ten seconds outlasts
/// bursts on a busy 2-core machine (the behaviour suite's hot-row tests needed more than 2); a request handler
/// that must answer sooner sets its own `deadline`.
///
/// ```swift
/// let result = try await RetryPolicy(maxAttempts: 5).run { attempt in
///     var account = try await db.read { tx in try tx.find(Account.self, id: 7) }!
///     account.balance -= 10
///     return try await db.write { [account] tx in var copy = account; try tx.save(&copy); return copy }
/// }
/// print(result.attempts)
/// ```
public struct RetryPolicy: Sendable {
    /// How long to wait before each retry.
    public enum Backoff: Sendable, Equatable {
        /// Retry at once.
        case none
        /// Wait the same time before every retry.
        case constant(Duration)
        /// Before retry n wait a uniformly random time between zero and min(cap, base × 2^(n−1)) ("full
        /// jitter"), so writers that collided once do not collide again in lockstep.
        case exponential(base: Duration, cap: Duration)
    }

    /// Attempts in all, the first included; at least 1.
    public var maxAttempts: Int
    /// The wait before each retry; by default exponential with full jitter, from 1 ms up to 50 ms.
    public var backoff: Backoff
    /// No retry starts once this much time has passed since the first attempt began (nil: no limit).
    public var deadline: Duration?
    /// Measures the time for ``deadline`` and sleeps the backoff waits: ``RetryClock/continuous`` by default; a
    /// clock that does not sleep makes tests of many retries fast.
    public var clock: RetryClock
    /// Picks the jittered wait: given the upper bound, returns a duration in `0...bound`.
    public var jitter: @Sendable (Duration) -> Duration
    /// True when applying the operation twice does no harm, so an attempt whose COMMIT outcome is unknown may be
    /// run again. False by default: a transfer retried after it did commit would move the money twice.
    public var idempotent: Bool

    /// Each argument sets the property of the same name. The defaults retry with no attempt limit until the
    /// 10-second deadline. A `maxAttempts` below 1 makes ``run(_:onRetry:)`` throw ``UsageError/invalidArgument(_:)``.
    public init(
        maxAttempts: Int = .max,
        backoff: Backoff = .exponential(base: .milliseconds(1), cap: .milliseconds(50)),
        deadline: Duration? = .seconds(10),
        clock: RetryClock = .continuous,
        jitter: @escaping @Sendable (Duration) -> Duration = RetryPolicy.uniformJitter,
        idempotent: Bool = false
    ) {
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.deadline = deadline
        self.clock = clock
        self.jitter = jitter
        self.idempotent = idempotent
    }

    /// One attempt, no retry.
    public static var never: RetryPolicy { RetryPolicy(maxAttempts: 1, backoff: .none) }

    /// A uniformly random duration in `0...bound`, from the system's random source.
    public static let uniformJitter: @Sendable (Duration) -> Duration = { bound in
        let nanoseconds = bound.clampedNanoseconds
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds))
    }

    /// True for the failures every policy retries: stale versions, transient conflicts, a connection lost before
    /// COMMIT. See ``retries(_:)`` for the policy's own answer, which adds unknown commit outcomes when
    /// ``idempotent``.
    public static func isRetryable(_ error: any Error) -> Bool {
        if error is StaleRecordError { return true }
        if let error = error as? DatabaseError { return error.isTransient || error.kind == .connectionLost }
        return false
    }

    /// True for the failures this policy retries.
    public func retries(_ error: any Error) -> Bool {
        if Self.isRetryable(error) { return true }
        if idempotent, let error = error as? DatabaseError { return error.kind == .commitOutcomeUnknown }
        return false
    }

    /// The wait before retry `retry` (1 for the first retry), jitter included.
    public func delay(beforeRetry retry: Int) -> Duration {
        switch backoff {
        case .none:
            return .zero
        case .constant(let wait):
            return wait
        case .exponential(let base, let cap):
            let exponent = min(max(retry - 1, 0), 62)
            // Doubling saturates at the cap instead of overflowing Duration, also for a cap of "no cap"
            // (`.seconds(Int64.max)`).
            var bound = max(base, .zero)
            for _ in 0..<exponent where bound < cap {
                bound = bound > cap / 2 ? cap : bound * 2
            }
            return jitter(min(bound, cap))
        }
    }

    /// Runs `operation` (given the attempt number, from 1) until it succeeds, fails with an error that is not
    /// retryable, or the attempts or the deadline run out; then throws the last error, with the attempt count in
    /// its `attempts` (and, for a give-up, the reason in `retriesExhausted`) when it is a ``StaleRecordError`` or a
    /// ``DatabaseError``. `onRetry` is told each retry's attempt number, reason and wait.
    public func run<T: Sendable>(
        _ operation: (Int) async throws -> T,
        onRetry: (_ attempt: Int, _ reason: any Error, _ wait: Duration) -> Void = { _, _, _ in }
    ) async throws -> Retried<T> {
        guard maxAttempts >= 1 else {
            throw UsageError.invalidArgument("RetryPolicy.maxAttempts must be at least 1 (got \(maxAttempts))")
        }
        let started = clock.now()
        var attempt = 1
        while true {
            // Checked before every attempt, not only inside a backoff sleep: with no backoff a cancelled task
            // would otherwise run every remaining attempt.
            try Task.checkCancellation()
            do {
                // Instruments read the attempt from the task, so spans and logs of the operation can tell a retry.
                let value = try await RetryAttempt.$current.withValue(attempt) { try await operation(attempt) }
                return Retried(value: value, attempts: attempt)
            } catch {
                guard retries(error), !Task.isCancelled else { throw Self.counted(error, attempts: attempt, givingUp: nil) }
                guard attempt < maxAttempts else {
                    throw Self.counted(error, attempts: attempt, givingUp: .attempts)
                }
                let wait = delay(beforeRetry: attempt)
                if let deadline, Self.saturatingSum(clock.now() - started, wait) >= deadline {
                    throw Self.counted(error, attempts: attempt, givingUp: .deadline)
                }
                onRetry(attempt + 1, error, wait)
                if wait > .zero { try await clock.sleep(wait) }
                attempt += 1
            }
        }
    }
}

extension RetryPolicy {
    /// Why a policy gave up: ``RetryGiveUp``, by the policy's name.
    public typealias GiveUp = RetryGiveUp

    /// The error with the run's attempt count (and give-up reason) written into it, for the library's errors.
    static func counted(_ error: any Error, attempts: Int, givingUp: GiveUp?) -> any Error {
        if var stale = error as? StaleRecordError {
            stale.attempts = attempts
            stale.retriesExhausted = givingUp
            return stale
        }
        if var database = error as? DatabaseError {
            database.attempts = attempts
            database.retriesExhausted = givingUp
            return database
        }
        return error
    }

    /// `a + b` for non-negative durations, stopping at a bound far beyond any deadline instead of trapping.
    static func saturatingSum(_ a: Duration, _ b: Duration) -> Duration {
        let limit = Duration.seconds(Int64.max / 4)
        if a >= limit || b >= limit || a >= limit - b { return limit }
        return a + b
    }
}

/// A value and the number of attempts it took.
public struct Retried<T: Sendable>: Sendable {
    /// What the successful attempt returned.
    public let value: T
    /// Attempts run, the successful one included; 1 when nothing was retried.
    public let attempts: Int
}
