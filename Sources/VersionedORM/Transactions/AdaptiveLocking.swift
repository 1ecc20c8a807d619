/// The knobs of ``LockStrategy/adaptive(_:)``: when a row counts as hot, how fast it cools, how optimistic
/// attempts retry and how pessimistic ones wait.
///
/// The model: every `Database` keeps a conflict temperature per bucket of rows. A modification whose optimistic
/// write found the row changed adds 1, as does an attempt that failed with a serialization failure or deadlock
/// (how a race shows under SERIALIZABLE or REPEATABLE READ); a pessimistic one that waited longer than
/// `contendedLockWait` for its lock adds 1. A bucket loses half its temperature every `halfLife`. An attempt runs optimistically while its row's
/// temperature is below `hotAt`. On a hot row it locks first, as the literature says; but which way is cheaper
/// on a hot row depends on the database's round trips, the workers and the retry policy's backoff (on a local
/// PostgreSQL, two autocommitted statements that retry can beat four round trips under a lock), so the
/// `Database` also keeps what each way has cost per commit on hot rows lately and, once locking has been
/// measured, tries the other way and takes the cheaper (figures halving every 2 s, so the choice follows the
/// load). A way is tried on all hot rows at once (for 16 attempts or 250 ms), since a way measured among writers
/// taking the other says nothing about itself. A row that stopped conflicting is read without a lock again once
/// it has cooled.
public struct AdaptiveLocking: Sendable {
    /// How optimistic attempts retry; each retry decides afresh, so a conflict can turn the next attempt
    /// pessimistic.
    public var retry: RetryPolicy
    /// How a pessimistic attempt waits for its lock.
    public var wait: RowLockWait
    /// The temperature from which a row is locked first. 0.5 by default: one conflict within the last half-life
    /// (or two within the last two).
    public var hotAt: Double
    /// The time in which a temperature halves without new contention.
    public var halfLife: Duration
    /// A wait for the lock (from the request, the writer's queue included) longer than this counts as
    /// contention; a pessimistic attempt that got its lock sooner does not heat the row, so it cools back to
    /// optimistic. 1 ms by default: above an uncontended BEGIN and SELECT … FOR UPDATE on a local server.
    public var contendedLockWait: Duration

    /// Each argument sets the property of the same name; the defaults are the ones described there, `retry`
    /// a default ``RetryPolicy``.
    public init(retry: RetryPolicy = RetryPolicy(), wait: RowLockWait = .wait, hotAt: Double = 0.5,
                halfLife: Duration = .milliseconds(200), contendedLockWait: Duration = .milliseconds(1)) {
        self.retry = retry
        self.wait = wait
        self.hotAt = hotAt
        self.halfLife = halfLife
        self.contendedLockWait = contendedLockWait
    }
}
