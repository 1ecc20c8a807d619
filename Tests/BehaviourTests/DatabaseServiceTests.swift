import Foundation
import Logging
import ServiceLifecycle
import Testing
import VersionedORM
import VersionedORMServiceLifecycle

/// `Database` as a swift-service-lifecycle `Service`.
@Suite struct DatabaseServiceTests {
    /// A graceful shutdown lets the transaction in flight commit, then closes the pool: a new transaction is
    /// refused with `databaseClosed`, and the write that was running is in the database.
    @Test(arguments: Backend.allCases)
    func gracefulShutdownFinishesTheTransactionInFlightAndRefusesNewOnes(backend: Backend) async throws {
        try await withClients(backend, count: 2) { clients in
            let (db, observer) = (clients[0], clients[1])
            let account = try await seedAccounts(db)[0]
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: [.init(service: DatabaseService(db))], logger: Logger(label: "test")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let (entered, signal) = AsyncStream.makeStream(of: Void.self)
                let inFlight = Task {
                    try await db.write { tx in
                        signal.yield()
                        // Holds the transaction open while the group shuts down (this runs on the connection's
                        // own thread, not on the cooperative pool).
                        Thread.sleep(forTimeInterval: 0.3)
                        var copy = account
                        try tx.update(&copy) { $0.balance += 1 }
                        return copy
                    }
                }
                for await _ in entered { break }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                #expect(try await inFlight.value.balance == 101)
            }
            await #expect(throws: UsageError.databaseClosed) { try await db.read { _ in } }
            #expect(try await reload(observer, account)?.balance == 101)
        }
    }

    /// Cancelling the service's task (a group that is torn down) closes the database too.
    @Test(arguments: Backend.allCases)
    func cancellationClosesTheDatabase(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let service = Task { try await DatabaseService(db).run() }
            try await db.read { _ in }
            service.cancel()
            try await service.value
            await #expect(throws: UsageError.databaseClosed) { try await db.read { _ in } }
        }
    }
}
