import Foundation
import PostgresDriver
import Synchronization
import Testing
import VersionedORM

/// A primary fails and its standby is promoted while a `Database` writes through a two-host URL with
/// `target_session_attrs=read-write` (the clusters scripts/with-postgres.sh starts for this test alone).
@Suite struct FailoverTests {
    private static func environment(_ name: String) throws -> String {
        try requiredEnvironment(name, startedBy: "the failover clusters")
    }

    /// Runs the failover off the cooperative pool and waits for it.
    private func failOver() async throws {
        let command = try Self.environment("VERSIONED_ORM_FAILOVER_COMMAND")
        let status: Int32 = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", command]
                process.standardOutput = FileHandle.nullDevice
                do {
                    try process.run()
                    process.waitUntilExit()
                    continuation.resume(returning: process.terminationStatus)
                } catch {
                    continuation.resume(returning: -1)
                }
            }
        }
        #expect(status == 0, "the failover command failed")
    }

    @Test(.timeLimit(.minutes(2)))
    func writesResumeOnThePromotedStandbyAndEveryFailureOnTheWayIsClassified() async throws {
        let url = try Self.environment("VERSIONED_ORM_FAILOVER_URL")
        let db = try await Database.postgres(url: url, configuration: PostgresConfiguration(
            poolSize: 2, connectTimeout: .seconds(2)))
        let account = try await db.write { tx in
            try tx.createTable(Account.self, ifNotExists: true)
            var account = Account(owner: "failover", balance: 0)
            try tx.insert(&account)
            return account
        }
        // The standby has the row before the primary goes away.
        try await Task.sleep(for: .milliseconds(500))
        let id = try #require(account.id)
        let policy = RetryPolicy(maxAttempts: 200, backoff: .exponential(base: .milliseconds(5), cap: .milliseconds(100)),
                                 deadline: .seconds(30))
        var succeeded = 0
        var ambiguous = 0
        var escaped: [String] = []
        // The outage: the longest gap between two acknowledged writes.
        var lastSuccess = ContinuousClock.now
        var longestGap = Duration.zero
        var failover: Task<Void, any Error>?
        var retries = 0
        while succeeded < 60 {
            if succeeded == 20 && failover == nil {
                // While the writes go on, as an HA manager would do it.
                failover = Task { try await failOver() }
            }
            do {
                let result = try await db.write(retry: policy) { tx in
                    try Account.where { $0.id == id }.updateAll(tx) { $0.balance += 1 }
                }
                retries += result.attempts - 1
                succeeded += 1
                longestGap = max(longestGap, lastSuccess.duration(to: .now))
                lastSuccess = .now
            } catch let error as DatabaseError where error.kind == .commitOutcomeUnknown {
                ambiguous += 1
            } catch {
                escaped.append("\(error)")
                break
            }
        }
        try await failover?.value
        #expect(escaped.isEmpty, "\(escaped)")
        #expect(succeeded == 60)
        // Replication is synchronous: every write that returned is in the promoted standby; an ambiguous one may or
        // may not be.
        let balance = try #require(try await db.read(consistency: .primary) { tx in try tx.find(Account.self, id: id) }).balance
        #expect(balance >= Int64(succeeded) && balance <= Int64(succeeded + ambiguous))
        print("[failover] longest gap between acknowledged writes \(longestGap); \(retries) retries, \(ambiguous) unknown outcomes; balance \(balance) for \(succeeded) acknowledged writes")
        await db.close()
    }
}
