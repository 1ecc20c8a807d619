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
/// So a hot row is locked first (the classic answer); once locking has about four commits on record, a hot row
/// is tried without a lock whenever that way's figures have faded below half a commit's worth, and otherwise
/// taken the cheaper way.
final class HotRowCosts: Sendable {
    struct Mode {
        var seconds = 0.0
        var commits = 0.0
        var updated: ContinuousClock.Instant?

        func decayed(to now: ContinuousClock.Instant, halfLife: Duration) -> Mode {
            guard let updated else { return self }
            let factor = exp2(-(updated.duration(to: now) / halfLife))
            guard factor < 1 else { return self }
            return Mode(seconds: seconds * factor, commits: commits * factor, updated: now)
        }

        /// Seconds per commit; infinite while attempts have committed nothing.
        var costPerCommit: Double { commits > 0 ? seconds / commits : .infinity }
    }

    private let modes = Mutex<(optimistic: Mode, pessimistic: Mode)>((Mode(), Mode()))
    let halfLife: Duration
    /// Locked commits on record (fading like the rest) before a hot row is first tried without a lock: four
    /// recent ones.
    static let lockedCommitsBeforeTrying = 3.5
    /// Below this many commits on record, a way's figures have faded and it is tried again.
    static let faded = 0.5

    init(halfLife: Duration = .seconds(2)) {
        self.halfLife = halfLife
    }

    /// Whether the next attempt on a hot row locks it.
    func locksHotRow(now: ContinuousClock.Instant = .now) -> Bool {
        modes.withLock { modes in
            let optimistic = modes.optimistic.decayed(to: now, halfLife: halfLife)
            let pessimistic = modes.pessimistic.decayed(to: now, halfLife: halfLife)
            if pessimistic.commits < Self.lockedCommitsBeforeTrying && optimistic.commits < Self.faded { return true }
            if optimistic.commits < Self.faded { return false }
            if pessimistic.commits < Self.faded { return true }
            return pessimistic.costPerCommit <= optimistic.costPerCommit
        }
    }

    /// Adds one attempt on a hot row: how long it took since the operation's previous attempt ended (or since
    /// the operation began), and whether it committed.
    func record(locked: Bool, duration: Duration, committed: Bool, now: ContinuousClock.Instant = .now) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        modes.withLock { modes in
            var mode = (locked ? modes.pessimistic : modes.optimistic).decayed(to: now, halfLife: halfLife)
            mode.seconds += max(seconds, 0)
            if committed { mode.commits += 1 }
            mode.updated = now
            if locked { modes.pessimistic = mode } else { modes.optimistic = mode }
        }
    }

    /// The current figures (for tests and debug logs).
    func snapshot(now: ContinuousClock.Instant = .now) -> (optimistic: Mode, pessimistic: Mode) {
        modes.withLock { ($0.optimistic.decayed(to: now, halfLife: halfLife), $0.pessimistic.decayed(to: now, halfLife: halfLife)) }
    }
}
