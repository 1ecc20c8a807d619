import Synchronization
import Testing
@testable import VersionedORM

/// A clock that advances only when slept on, and remembers every sleep.
final class ManualClock: Sendable {
    private let state = Mutex<(now: Duration, sleeps: [Duration])>((.zero, []))
    var sleeps: [Duration] { state.withLock { $0.sleeps } }
    func advance(_ duration: Duration) { state.withLock { $0.now += duration } }
    var retryClock: RetryClock {
        RetryClock(now: { self.state.withLock { $0.now } },
                   sleep: { duration in self.state.withLock { $0.now += duration; $0.sleeps.append(duration) } })
    }
}

private let stale = StaleRecordError(model: "Item", table: "items", primaryKey: 1, expectedVersion: 1,
                                     current: .modified(currentVersion: 2), operation: .save)

@Suite struct RetryPolicyTests {
    @Test func aPermanentConflictRunsExactlyMaxAttemptsAndReportsTheLastError() async throws {
        let clock = ManualClock()
        let policy = RetryPolicy(maxAttempts: 4, backoff: .constant(.milliseconds(5)), clock: clock.retryClock)
        let attempts = Mutex<[Int]>([])
        do {
            _ = try await policy.run { attempt -> Int in
                attempts.withLock { $0.append(attempt) }
                throw stale
            }
            Issue.record("a permanent conflict succeeded")
        } catch let error as StaleRecordError {
            // The conflict itself, with the run's count: the same catch as without a policy.
            #expect(error.attempts == 4)
            #expect(error.retriesExhausted == .attempts)
            #expect(error.primaryKey == stale.primaryKey && error.current == stale.current)
        }
        #expect(attempts.withLock { $0 } == [1, 2, 3, 4])
        #expect(clock.sleeps == [.milliseconds(5), .milliseconds(5), .milliseconds(5)])
    }

    @Test func successReportsTheAttemptCount() async throws {
        let policy = RetryPolicy(maxAttempts: 5, backoff: .none, clock: ManualClock().retryClock)
        let result = try await policy.run { attempt -> String in
            if attempt < 3 { throw DatabaseError(kind: .transientConflict, code: "40001", message: "serialization") }
            return "done"
        }
        #expect(result.value == "done")
        #expect(result.attempts == 3)
    }

    @Test func onlyConflictsAndTransientErrorsAreRetried() async throws {
        let policy = RetryPolicy(maxAttempts: 5, backoff: .none, clock: ManualClock().retryClock)
        for error in [DatabaseError(kind: .uniqueViolation, code: "23505", message: "duplicate") as any Error,
                      DatabaseError(kind: .lockNotAvailable, code: "55P03", message: "locked"),
                      UsageError.transactionFinished] {
            let attempts = Mutex(0)
            await #expect(throws: (any Error).self) {
                _ = try await policy.run { _ -> Int in attempts.withLock { $0 += 1 }; throw error }
            }
            #expect(attempts.withLock { $0 } == 1, "\(error)")
        }
        #expect(RetryPolicy.isRetryable(stale))
        #expect(RetryPolicy.isRetryable(DatabaseError(kind: .busy, code: "SQLITE_BUSY", message: "busy")))
        #expect(RetryPolicy.isRetryable(DatabaseError(kind: .transientConflict, code: "40P01", message: "deadlock")))
    }

    @Test func exponentialBackoffDoublesUpToTheCapWithFullJitter() {
        let bounds = Mutex<[Duration]>([])
        let policy = RetryPolicy(backoff: .exponential(base: .milliseconds(2), cap: .milliseconds(20)),
                                 jitter: { bound in bounds.withLock { $0.append(bound) }; return bound / 2 })
        let delays = (1...6).map { policy.delay(beforeRetry: $0) }
        #expect(bounds.withLock { $0 } == [.milliseconds(2), .milliseconds(4), .milliseconds(8), .milliseconds(16),
                                           .milliseconds(20), .milliseconds(20)])
        #expect(delays == [.milliseconds(1), .milliseconds(2), .milliseconds(4), .milliseconds(8), .milliseconds(10),
                           .milliseconds(10)])
        #expect(policy.delay(beforeRetry: 10_000) <= .milliseconds(20))
    }

    @Test func theDefaultJitterStaysWithinItsBound() {
        for _ in 0..<1_000 {
            let wait = RetryPolicy.uniformJitter(.milliseconds(3))
            #expect(wait >= .zero && wait <= .milliseconds(3))
        }
    }

    @Test func noRetryStartsPastTheDeadline() async throws {
        let clock = ManualClock()
        let policy = RetryPolicy(maxAttempts: 100, backoff: .constant(.milliseconds(30)), deadline: .milliseconds(100),
                                 clock: clock.retryClock)
        do {
            _ = try await policy.run { _ -> Int in clock.advance(.milliseconds(10)); throw stale }
            Issue.record("succeeded")
        } catch let error as StaleRecordError {
            // 10 + 30 + 10 + 30 + 10 = 90 ms after three attempts; a fourth would start at 120 ms.
            #expect(error.attempts == 3)
            #expect(error.retriesExhausted == .deadline)
        }
    }

    @Test func zeroAttemptsIsAnArgumentError() async {
        await #expect(throws: UsageError.self) {
            _ = try await RetryPolicy(maxAttempts: 0).run { _ in 1 }
        }
    }
}

@Suite struct RetryGiveUpTests {
    private let stale = StaleRecordError(model: "Item", table: "items", primaryKey: 1, expectedVersion: 1,
                                         current: .modified(currentVersion: 2), operation: .save)

    @Test func neverThrowsTheConflictItselfAfterOneAttempt() async {
        do {
            _ = try await RetryPolicy.never.run { _ -> Int in throw stale }
            Issue.record("succeeded")
        } catch let error as StaleRecordError {
            #expect(error.attempts == 1)
            #expect(error.retriesExhausted == .attempts)
            #expect(error.description.contains("gave up after 1 attempt"))
        } catch {
            Issue.record("threw \(error)")
        }
    }

    @Test func aDatabaseErrorGivenUpOnCarriesTheCountAndOneThatIsNotRetriedCarriesItsAttempt() async {
        let clock = ManualClock()
        let policy = RetryPolicy(maxAttempts: 3, backoff: .none, clock: clock.retryClock)
        do {
            _ = try await policy.run { _ -> Int in throw DatabaseError(kind: .transientConflict, code: "40001", message: "x") }
        } catch let error as DatabaseError {
            #expect(error.attempts == 3 && error.retriesExhausted == .attempts)
        } catch {
            Issue.record("threw \(error)")
        }
        do {
            _ = try await policy.run { attempt -> Int in
                if attempt == 1 { throw stale }
                throw DatabaseError(kind: .uniqueViolation, code: "23505", message: "dup")
            }
        } catch let error as DatabaseError {
            #expect(error.attempts == 2 && error.retriesExhausted == nil)
        } catch {
            Issue.record("threw \(error)")
        }
    }

    @Test func theDefaultPolicyIsBoundedByADeadlineNotAnAttemptCount() {
        let policy = RetryPolicy()
        #expect(policy.deadline == .seconds(10))
        #expect(policy.maxAttempts == .max)
    }
}
