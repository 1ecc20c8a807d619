import Foundation
import Synchronization

/// What a committed modification of a hot row has cost lately with a lock and without one, for
/// ``LockStrategy/adaptive(_:)``: the time its attempts took (the retry policy's waits before them included)
/// divided by the commits they made, each sum halving every `halfLife` of its own, so the choice follows a
/// load that changes.
///
/// Which way wins on a hot row is not a constant. Locking queues writers once; not locking lets them race and
/// retry, which on a nearby server with two round trips per attempt (PostgreSQL, autocommitted read and write)
/// can still beat four round trips under a lock, and with a backoff in the retry policy spreads the writers out.
/// So a hot row is locked first (the classic answer); once locking has about four commits on record, and
/// whenever a way's figures have faded below half an attempt's worth, that way gets a trial: every hot row is
/// taken that way for 16 attempts or `halfLife / 8`, whichever ends first, and otherwise the cheaper way.
///
/// A trial switches all hot rows at once, not one attempt, because a way measured among writers that take the
/// other is not measured at all: one unlocked attempt among lockers reads a row a locker is about to change and
/// then waits on its lock to find the version gone, so it always looks dear (the adaptive strategy then locked
/// PostgreSQL rows at T = 16 where racing them was faster).
final class HotRowCosts: Sendable {
    struct Mode {
        var seconds = 0.0
        var commits = 0.0
        /// Attempts, committed or not: what decides that a way's figures have faded, so a way that committed
        /// nothing in its trial is not tried again at once.
        var attempts = 0.0
        var updated: ContinuousClock.Instant?

        func decayed(to now: ContinuousClock.Instant, halfLife: Duration) -> Mode {
            guard let updated else { return self }
            let factor = exp2(-(updated.duration(to: now) / halfLife))
            guard factor < 1 else { return self }
            return Mode(seconds: seconds * factor, commits: commits * factor, attempts: attempts * factor, updated: now)
        }

        /// Seconds per commit; infinite while attempts have committed nothing.
        var costPerCommit: Double { commits > 0 ? seconds / commits : .infinity }
    }

    private struct State {
        var optimistic = Mode()
        var pessimistic = Mode()
        /// The way every hot row takes while it is tried: until the instant, or until it has made
        /// ``HotRowCosts/trialAttempts`` attempts, whichever comes first.
        var trial: (locks: Bool, until: ContinuousClock.Instant, attempts: Int)?

        /// The way under trial at `now`, if the trial has neither run out of time nor of attempts.
        func trialWay(at now: ContinuousClock.Instant) -> Bool? {
            guard let trial, now < trial.until, trial.attempts < HotRowCosts.trialAttempts else { return nil }
            return trial.locks
        }
    }

    private let state = Mutex(State())
    let halfLife: Duration
    /// How long a trial of a way lasts at most.
    var trialLength: Duration { halfLife / 8 }
    /// The attempts that end a trial early: enough to average over the workers' races, few enough that a trial
    /// of the dearer way costs little in a short burst of contention.
    static let trialAttempts = 16
    /// Locked commits on record (fading like the rest) before a hot row is first tried without a lock: four
    /// recent ones.
    static let lockedCommitsBeforeTrying = 3.5
    /// Below this many attempts on record, a way's figures have faded and it is tried again.
    static let faded = 0.5

    init(halfLife: Duration = .seconds(2)) {
        self.halfLife = halfLife
    }

    /// Whether the next attempt on a hot row locks it.
    func locksHotRow(now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { state in
            if let locks = state.trialWay(at: now) { return locks }
            state.trial = nil
            let optimistic = state.optimistic.decayed(to: now, halfLife: halfLife)
            let pessimistic = state.pessimistic.decayed(to: now, halfLife: halfLife)
            if pessimistic.commits < Self.lockedCommitsBeforeTrying && optimistic.attempts < Self.faded { return true }
            let faded: Bool? = optimistic.attempts < Self.faded ? false : pessimistic.attempts < Self.faded ? true : nil
            if let locks = faded {
                state.trial = (locks, now + trialLength, 0)
                return locks
            }
            return pessimistic.costPerCommit <= optimistic.costPerCommit
        }
    }

    /// The way under trial at `now`, if one is.
    func trialWay(now: ContinuousClock.Instant = .now) -> Bool? {
        state.withLock { $0.trialWay(at: now) }
    }

    /// Adds one attempt on a hot row: how long it took since the operation's previous attempt ended (or since
    /// the operation began), and whether it committed.
    func record(locked: Bool, duration: Duration, committed: Bool, now: ContinuousClock.Instant = .now) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        state.withLock { state in
            var mode = (locked ? state.pessimistic : state.optimistic).decayed(to: now, halfLife: halfLife)
            mode.seconds += max(seconds, 0)
            if committed { mode.commits += 1 }
            mode.attempts += 1
            mode.updated = now
            if locked { state.pessimistic = mode } else { state.optimistic = mode }
            if state.trial?.locks == locked { state.trial?.attempts += 1 }
        }
    }

    /// The current figures (for tests and debug logs).
    func snapshot(now: ContinuousClock.Instant = .now) -> (optimistic: Mode, pessimistic: Mode) {
        state.withLock { ($0.optimistic.decayed(to: now, halfLife: halfLife), $0.pessimistic.decayed(to: now, halfLife: halfLife)) }
    }
}
