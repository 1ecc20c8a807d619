import Synchronization
import VersionedORM

/// Records the text of every statement a database sends (never a bound value), to assert what a code path
/// sent: one versioned UPDATE, no blind write, no statement at all.
///
/// ```swift
/// let recorder = StatementRecorder()
/// recorder.install(in: &configuration)
/// …
/// let sent = try await recorder.recording { try await db.modify(Account.self, id: 7, using: .optimistic(retry: RetryPolicy())) { $0.balance += 1 } }
/// #expect(sent.filter { $0.hasPrefix("UPDATE") }.count == 1)
/// ```
///
/// It records every task's statements on that database: record around work that runs alone.
public final class StatementRecorder: Sendable {
    private let entries = Mutex<[String]>([])

    /// Records nothing until installed.
    public init() {}

    /// Records the statements of databases opened with `configuration`, after whatever `trace` it already had.
    public func install(in configuration: inout DatabaseConfiguration) {
        let previous = configuration.trace
        configuration.trace = { [self] text in
            previous?(text)
            entries.withLock { $0.append(text) }
        }
    }

    /// Every statement recorded so far, in order.
    public var statements: [String] { entries.withLock { $0 } }

    /// Forgets what was recorded.
    public func clear() {
        entries.withLock { $0.removeAll() }
    }

    /// The statements sent while `body` ran (transaction control included).
    public func recording(_ body: () async throws -> Void) async rethrows -> [String] {
        let start = entries.withLock { $0.count }
        try await body()
        return entries.withLock { Array($0.dropFirst(start)) }
    }
}
