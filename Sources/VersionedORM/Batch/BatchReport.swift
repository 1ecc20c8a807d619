/// What a batch job did to each row it visited. Every key the walk read is in exactly one of the lists, except
/// for rows the change left as they were, which are only counted.
public struct BatchReport<Key: PrimaryKeyValue>: Sendable, Equatable {
    /// Written with the batch's change, at the first attempt or after retries.
    public var saved: [Key] = []
    /// Of ``saved``: written only after reading the row afresh, because someone had changed it.
    public var retried: [Key] = []
    /// Left as another writer had changed it (``StaleRowPolicy/skip``, or retries exhausted).
    public var skippedStale: [Key] = []
    /// Deleted by someone else between the read and the write.
    public var deleted: [Key] = []
    /// Changed by someone else so that it no longer matches the job's filter, found on a retry: left alone.
    public var noLongerMatching: [Key] = []
    /// Rows the change did not alter: nothing was written for them.
    public var unchanged = 0
    /// Rows read, in all chunks.
    public var visited = 0

    /// An empty report.
    public init() {}
}

/// How far a batch job is: after each chunk.
public struct BatchProgress: Sendable, Equatable {
    /// Rows visited so far.
    public var done: Int
    /// The rows matching the filter when the job started; rows inserted since may make `done` pass it.
    public var total: Int
}

/// A batch job stopped, at a stale row under ``StaleRowPolicy/fail`` or at an error from the database or the
/// change. `report` holds what the chunks before the failing one wrote; that chunk itself was rolled back.
public struct BatchUpdateError<Key: PrimaryKeyValue>: Error, Sendable, CustomStringConvertible {
    /// What the chunks committed before the failing one wrote.
    public let report: BatchReport<Key>
    /// A ``StaleRecordError`` under `.fail`, or what the database or the change threw.
    public let underlying: any Error

    public var description: String {
        "the batch job stopped after saving \(report.saved.count) rows: \(underlying)"
    }
}
