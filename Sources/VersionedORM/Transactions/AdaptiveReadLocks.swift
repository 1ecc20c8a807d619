import Logging

/// `.adaptive` inside a unit of work (`db.write(using: .adaptive)`) on a database with row locks: its first
/// attempt reads each row by key with `FOR UPDATE` while that row is hot and without a lock while it is cold,
/// from the same temperatures `db.modify` keeps; a stale write in the unit heats the row it found changed. Later
/// attempts lock everything they read (the rows that made the first one lose are not always known).
@usableFromInline
struct AdaptiveReadLocks: Sendable {
    let temperatures: ConflictTemperatures
    let knobs: AdaptiveLocking
    let logger: Logger

    /// The bucket of a row, as `db.modify` computes it, so both kinds of operation see one temperature.
    func bucket(table: String, key: AnyPrimaryKey) -> Int {
        temperatures.bucket(table: table, key: key)
    }

    /// The lock a read of this row takes: `knobs.wait` while its bucket is at least `hotAt`, none below.
    func lock(forBucket bucket: Int, model: String) -> RowLockWait? {
        let temperature = temperatures.temperature(of: bucket, halfLife: knobs.halfLife)
        guard temperature >= knobs.hotAt else { return nil }
        ContentionMetrics.recordAdaptiveLockedRead(model: model)
        logger.debug("adaptive locked read", metadata: ["db.model": "\(model)", "db.temperature": "\(temperature)"])
        return knobs.wait
    }

    /// A locked read that waited longer than `contendedLockWait` keeps its row hot, as in `db.modify`.
    func waited(_ duration: Duration, bucket: Int) {
        if duration > knobs.contendedLockWait { temperatures.heat(bucket, halfLife: knobs.halfLife) }
    }

    func stale(_ error: StaleRecordError) {
        temperatures.heat(bucket(table: error.table, key: error.primaryKey), halfLife: knobs.halfLife)
    }
}
