import BenchSupport
import Foundation
import VersionedORM

/// The strategies the lab compares, by the names the JSON report uses.
enum Strategy: String, CaseIterable, Sendable {
    case naive
    case optimistic
    case optimisticBackoff = "optimistic-backoff"
    /// `RetryPolicy()` as a caller gets it (a 10 s deadline, exponential backoff): the cell counts the increments
    /// it gave up on, which the caller sees as a thrown conflict, never as a lost update.
    case optimisticDefault = "optimistic-default"
    case pessimistic
    case atomic
    case merge
    /// `.adaptive` with its default knobs, but a retry policy as unlimited as the optimistic cell's.
    case adaptive
    /// `.adaptive` as a caller gets it (`AdaptiveLocking()`: `RetryPolicy()`'s backoff and deadline), beside
    /// optimistic-default: on a hot row it backs off between optimistic attempts as that one does.
    case adaptiveDefault = "adaptive-default"

    /// Whether the strategy's retry policy has a deadline: an operation given up on is refused to its caller (a
    /// thrown conflict), not lost.
    var mayGiveUp: Bool { self == .optimisticDefault || self == .adaptiveDefault }

    /// The adaptive strategies, which the lab judges against the fixed ones.
    var isAdaptive: Bool { self == .adaptive || self == .adaptiveDefault }

    /// Enough attempts that contention, not the limit, decides the outcome.
    static let unlimited = 1_000_000

    /// Whether the strategy runs operations of `rowsPerTransaction` rows: naive exists to show lost updates on
    /// one row and has no multi-row form.
    func runs(rowsPerTransaction: Int) -> Bool { rowsPerTransaction == 1 || self != .naive }

    /// The retry policy of the unlimited variants.
    private static let unlimitedPolicy = RetryPolicy(maxAttempts: unlimited, backoff: .none, deadline: nil)

    /// Adds 1 to the balance of each row of `ids` (in key order, so no two operations deadlock), holding what it
    /// read for `think` before writing; returns the attempts it took.
    func increment(_ db: Database, ids: [Int64], think: Duration) async throws -> Int {
        if ids.count == 1, let id = ids.first { return try await increment(db, id: id, think: think) }
        if self == .naive { throw BenchError("naive has no multi-row form") }
        guard let strategy = lockStrategy else {
            // Atomic. Deadlocks cannot happen in key order, but SERIALIZABLE may still refuse a transaction (40001).
            return try await db.write(retry: Self.unlimitedPolicy) { tx in
                for id in ids {
                    guard try BenchAccount.where({ $0.id == id }).updateAll(tx, { $0.balance += 1 }) == 1 else {
                        throw ModificationError.notFound(model: "BenchAccount", id: AnyPrimaryKey(id))
                    }
                }
                pause(think)
            }.attempts
        }
        return try await db.write(using: strategy) { tx in
            var rows = try ids.map { id in
                guard let row = try tx.find(BenchAccount.self, id: id) else {
                    throw ModificationError.notFound(model: "BenchAccount", id: AnyPrimaryKey(id))
                }
                return row
            }
            pause(think)
            for index in rows.indices { try tx.update(&rows[index]) { $0.balance += 1 } }
        }.attempts
    }

    private static let backoffPolicy = RetryPolicy(maxAttempts: unlimited,
                                                   backoff: .exponential(base: .microseconds(50), cap: .milliseconds(5)), deadline: nil)

    /// Adds 1 to the balance of row `id`; returns the attempts it took.
    private func increment(_ db: Database, id: Int64, think: Duration) async throws -> Int {
        let change: @Sendable (inout BenchAccount) -> Void = { account in
            pause(think)
            account.balance += 1
        }
        if let strategy = lockStrategy {
            return try await db.modify(BenchAccount.self, id: id, using: strategy, change).attempts
        }
        switch think {
        case .zero:
            // One statement: a transaction around it would only add BEGIN and COMMIT. Under SERIALIZABLE even an
            // autocommitted UPDATE can be refused (40001), so it runs under a policy like the rest.
            return try await db.retrying(Self.unlimitedPolicy) { _ in
                let changed = try await db.writeWithoutTransaction { session in
                    try BenchAccount.where { $0.id == id }.updateAll(session) { $0.balance += 1 }
                }
                guard changed == 1 else { throw ModificationError.notFound(model: "BenchAccount", id: AnyPrimaryKey(id)) }
            }.attempts
        default:
            // Think time holds the row's lock: the UPDATE, the pause, then COMMIT.
            return try await db.write(retry: Self.unlimitedPolicy) { tx in
                guard try BenchAccount.where({ $0.id == id }).updateAll(tx, { $0.balance += 1 }) == 1 else {
                    throw ModificationError.notFound(model: "BenchAccount", id: AnyPrimaryKey(id))
                }
                pause(think)
            }.attempts
        }
    }

    /// The library strategy the lab runs this as; nil for atomic, which is an UPDATE rather than a
    /// read-modify-write.
    private var lockStrategy: LockStrategy? {
        switch self {
        case .naive: .naive
        case .optimistic: .optimistic(retry: Self.unlimitedPolicy)
        case .optimisticBackoff: .optimistic(retry: Self.backoffPolicy)
        case .optimisticDefault: .optimistic(retry: RetryPolicy())
        case .merge: .merge(retry: Self.unlimitedPolicy)
        case .pessimistic: .pessimistic(.wait)
        case .adaptive: .adaptive(AdaptiveLocking(retry: Self.unlimitedPolicy))
        case .adaptiveDefault: .adaptive(AdaptiveLocking())
        case .atomic: nil
        }
    }
}

/// Client work inside an operation: blocks the connection's thread, as work inside a transaction closure does.
func pause(_ duration: Duration) {
    guard duration > .zero else { return }
    let (seconds, attoseconds) = duration.components
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
    nanosleep(&request, nil)
}
