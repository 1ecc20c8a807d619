/// What ``Database/updateEach(_:chunkSize:onStale:progress:_:)`` does with a row that someone changed between
/// the chunk's read and its write: the batch's copy is stale, and writing it would overwrite their edit.
public enum StaleRowPolicy: Sendable, Equatable {
    /// Read the row afresh and apply the change to the fresh copy, up to `attempts` times in all (the first
    /// write included); a row still stale after that is skipped and reported in ``BatchReport/skippedStale``.
    /// Each retry reads and writes in one short write transaction, so on SQLite it cannot go stale again.
    case retry(attempts: Int)
    /// Leave the row as the other writer left it, and report it in ``BatchReport/skippedStale``.
    case skip
    /// Stop the job with ``BatchUpdateError``: the chunk being written is rolled back, earlier chunks stay
    /// written.
    case fail

    /// Three attempts per stale row.
    public static let retry = StaleRowPolicy.retry(attempts: 3)
}
