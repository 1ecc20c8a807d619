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

    /// Enough attempts that contention, not the limit, decides the outcome.
    static let unlimited = 1_000_000

    /// Adds 1 to the balance of row `id`; returns the attempts it took.
    func increment(_ db: Database, id: Int64) async throws -> Int {
        switch self {
        case .naive:
            return try await db.modify(BenchAccount.self, id: id, using: .naive) { $0.balance += 1 }.attempts
        case .optimistic:
            let policy = RetryPolicy(maxAttempts: Self.unlimited, backoff: .none, deadline: nil)
            return try await db.modify(BenchAccount.self, id: id, using: .optimistic(retry: policy)) { $0.balance += 1 }.attempts
        case .optimisticBackoff:
            let policy = RetryPolicy(maxAttempts: Self.unlimited,
                                     backoff: .exponential(base: .microseconds(50), cap: .milliseconds(5)), deadline: nil)
            return try await db.modify(BenchAccount.self, id: id, using: .optimistic(retry: policy)) { $0.balance += 1 }.attempts
        case .optimisticDefault:
            return try await db.modify(BenchAccount.self, id: id, using: .optimistic(retry: RetryPolicy())) { $0.balance += 1 }.attempts
        case .pessimistic:
            return try await db.modify(BenchAccount.self, id: id, using: .pessimistic(.wait)) { $0.balance += 1 }.attempts
        case .atomic:
            // One statement: a transaction around it would only add BEGIN and COMMIT.
            let changed = try await db.writeWithoutTransaction { session in
                try BenchAccount.where { $0.id == id }.updateAll(session) { $0.balance += 1 }
            }
            guard changed == 1 else { throw ModificationError.notFound(model: "BenchAccount", id: AnyPrimaryKey(id)) }
            return 1
        case .merge:
            let policy = RetryPolicy(maxAttempts: Self.unlimited, backoff: .none, deadline: nil)
            return try await db.modify(BenchAccount.self, id: id, using: .merge(retry: policy)) { $0.balance += 1 }.attempts
        case .adaptive:
            let knobs = AdaptiveLocking(retry: RetryPolicy(maxAttempts: Self.unlimited, backoff: .none, deadline: nil))
            return try await db.modify(BenchAccount.self, id: id, using: .adaptive(knobs)) { $0.balance += 1 }.attempts
        }
    }
}
