import Foundation
import Synchronization

/// How hot each row has been lately, for ``LockStrategy/adaptive(_:)``: a temperature per bucket of rows (a hash
/// of table and key), raised by 1 whenever a modification of one of its rows saw contention (a stale version, a
/// serialization failure or deadlock, or a lock it had to wait for), halved every `halfLife` without any. One per `Database`, shared by every
/// adaptive modification through it; a fixed number of buckets, so memory does not grow with the table.
final class ConflictTemperatures: Sendable {
    private struct Bucket {
        var temperature: Double = 0
        var updated: ContinuousClock.Instant?
    }

    private let buckets: Mutex<[Bucket]>
    private let count: Int

    init(buckets: Int = 4_096) {
        count = max(1, buckets)
        self.buckets = Mutex([Bucket](repeating: Bucket(), count: max(1, buckets)))
    }

    /// Whether an attempt's failure says another writer had its row: a stale version, or a serialization failure
    /// or deadlock (40001, 40P01). Under SERIALIZABLE and REPEATABLE READ a versioned UPDATE that waited for
    /// another writer's lock fails with 40001 where READ COMMITTED would change no row, so both are the same
    /// evidence; a row read as cold through them was raced on, unlocked, by every worker (the lab's T = 32, H = 1
    /// SERIALIZABLE cell ran at 0.47 of the best fixed strategy).
    static func isContention(_ error: any Error) -> Bool {
        if error is StaleRecordError { return true }
        return (error as? DatabaseError)?.kind == .transientConflict
    }

    /// The bucket of row `key` of `table`.
    func bucket(table: String, key: AnyPrimaryKey) -> Int {
        var hasher = Hasher()
        hasher.combine(table)
        hasher.combine(key)
        return Int(UInt(bitPattern: hasher.finalize()) % UInt(count))
    }

    /// The bucket's temperature now, cooled for the time since it last changed.
    func temperature(of bucket: Int, halfLife: Duration, now: ContinuousClock.Instant = .now) -> Double {
        buckets.withLock { buckets in Self.cooled(buckets[bucket], halfLife: halfLife, now: now) }
    }

    /// Raises the bucket's temperature by `amount` after cooling it to now.
    func heat(_ bucket: Int, by amount: Double = 1, halfLife: Duration, now: ContinuousClock.Instant = .now) {
        buckets.withLock { buckets in
            buckets[bucket].temperature = Self.cooled(buckets[bucket], halfLife: halfLife, now: now) + amount
            buckets[bucket].updated = now
        }
    }

    private static func cooled(_ bucket: Bucket, halfLife: Duration, now: ContinuousClock.Instant) -> Double {
        guard let updated = bucket.updated, bucket.temperature > 0 else { return 0 }
        let elapsed = updated.duration(to: now) / halfLife
        return elapsed <= 0 ? bucket.temperature : bucket.temperature * exp2(-elapsed)
    }
}
