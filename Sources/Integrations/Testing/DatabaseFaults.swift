import Synchronization
import VersionedORM

/// Makes a database's next writes conflict or fail, on purpose, so the paths an application takes on a
/// conflict can be tested without racing two clients.
///
/// ```swift
/// let faults = DatabaseFaults()
/// var configuration = DatabaseConfiguration()
/// faults.install(in: &configuration)
/// let db = try await Database.sqlite(path: path, configuration: SQLiteConfiguration(database: configuration))
///
/// faults.conflictNextSaves(of: Account.self, id: 7)             // the next versioned write of account 7 is stale
/// faults.failNextStatements(with: .serializationFailure, times: 2, onTable: "accounts")
/// ```
///
/// A conflict is real: just before the versioned UPDATE or DELETE, the row's version is bumped on the same
/// connection, as if another writer had saved it a moment earlier — so the write fails with a genuine
/// `StaleRecordError` whose current version is one above, and a retry reads the bumped row and succeeds.
/// (Inside a transaction that then rolls back, the bump rolls back with it; in an autocommitted `modify`, or a
/// transaction that commits anyway, it stays, as another writer's save would.) A failure takes the place of a
/// data statement, which is not sent, and aborts the transaction as a real failure does. Faults fire in the
/// order they were armed and are spent once fired; they apply to every task using the database.
public final class DatabaseFaults: Sendable {
    private struct Conflict {
        let table: String
        let key: AnyPrimaryKey?
        var remaining: Int
    }

    private struct Failure {
        let failure: InjectedFailure
        let table: String?
        var remaining: Int
    }

    private struct State {
        var conflicts: [Conflict] = []
        var failures: [Failure] = []
        var conflictsFired = 0
        var failuresFired = 0
    }

    private let state = Mutex(State())

    /// No faults armed.
    public init() {}

    /// Hooks these faults into databases opened with `configuration`.
    public func install(in configuration: inout DatabaseConfiguration) {
        configuration.testHooks = TestHooks(
            beforeStatement: { [self] text in try failIfArmed(text) },
            beforeVersionedWrite: { [self] table, key, competingWrite in
                if takeConflict(table: table, key: key) { try competingWrite() }
            })
    }

    /// The next `times` versioned writes (save, update, delete, touch) of `type`'s rows — of the row with key
    /// `id` only, when given — are stale. Uses the model's own table.
    public func conflictNextSaves<M: Model>(of type: M.Type, id: M.Key? = nil, times: Int = 1) {
        let conflict = Conflict(table: M.schema.table, key: id.map(AnyPrimaryKey.init), remaining: max(times, 0))
        state.withLock { $0.conflicts.append(conflict) }
    }

    /// The next `times` data statements — only those naming `table` (as a quoted identifier), when given —
    /// fail with `failure` instead of being sent.
    public func failNextStatements(with failure: InjectedFailure, times: Int = 1, onTable table: String? = nil) {
        let entry = Failure(failure: failure, table: table, remaining: max(times, 0))
        state.withLock { $0.failures.append(entry) }
    }

    /// How many conflicts and failures have fired so far.
    public var fired: (conflicts: Int, failures: Int) {
        state.withLock { ($0.conflictsFired, $0.failuresFired) }
    }

    /// Whether any armed fault has not fired yet.
    public var isArmed: Bool {
        state.withLock { state in
            state.conflicts.contains { $0.remaining > 0 } || state.failures.contains { $0.remaining > 0 }
        }
    }

    /// Removes every armed fault.
    public func disarm() {
        state.withLock { state in
            state.conflicts.removeAll()
            state.failures.removeAll()
        }
    }

    private func takeConflict(table: String, key: AnyPrimaryKey) -> Bool {
        state.withLock { state in
            guard let index = state.conflicts.firstIndex(where: {
                $0.remaining > 0 && $0.table == table && ($0.key == nil || $0.key == key)
            }) else { return false }
            state.conflicts[index].remaining -= 1
            state.conflictsFired += 1
            return true
        }
    }

    private func failIfArmed(_ text: String) throws {
        let failure: InjectedFailure? = state.withLock { state in
            guard let index = state.failures.firstIndex(where: { entry in
                entry.remaining > 0 && entry.table.map { text.contains("\"\($0)\"") } != false
            }) else { return nil }
            state.failures[index].remaining -= 1
            state.failuresFired += 1
            return state.failures[index].failure
        }
        if let failure { throw failure.error }
    }
}
