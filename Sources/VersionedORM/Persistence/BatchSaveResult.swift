/// Which values of a ``Transaction/saveAll(_:)`` were written and which were stale, by key, in the order given.
public struct BatchSaveResult<Key: PrimaryKeyValue>: Sendable, Equatable {
    /// Written: their values now hold the new version.
    public var saved: [Key] = []
    /// Changed by someone else since they were read: nothing written, their values untouched.
    public var modified: [Key] = []
    /// Deleted by someone else since they were read: nothing written, their values untouched.
    public var deleted: [Key] = []

    /// An empty result.
    public init() {}

    /// Every key that was not written.
    public var stale: [Key] { modified + deleted }
}
