import Foundation
import Synchronization
import Testing
import VersionedORM

/// Migrations on both databases: in order, once, each in its own transaction, safe to run from several
/// processes at once.
@Suite struct MigrationTests {
    static func steps(_ log: RunLog) -> [Migration] {
        [
            Migration("create accounts") { tx in log.ran("create accounts"); try tx.createTable(Account.self) },
            Migration("index owners") { tx in
                log.ran("index owners")
                try tx.execute(#"CREATE UNIQUE INDEX "accounts_owner" ON "accounts" ("owner")"#)
            },
            Migration("seed") { tx in
                log.ran("seed")
                var account = Account(owner: "bank", balance: 1_000)
                try tx.insert(&account)
            },
        ]
    }

    @Test(arguments: Backend.allCases)
    func appliesEachMigrationOnceInOrder(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let log = RunLog()
            let migrator = try Migrator(Self.steps(log))
            #expect(try await migrator.migrate(db) == ["create accounts", "index owners", "seed"])
            #expect(try await migrator.migrate(db) == [])
            #expect(log.names == ["create accounts", "index owners", "seed"])
            #expect(try await migrator.applied(db) == ["create accounts", "index owners", "seed"])
            // The index is real: a second account with the same owner is refused.
            await #expect(throws: DatabaseError.self) {
                try await db.write { tx in
                    var twin = Account(owner: "bank", balance: 1)
                    try tx.insert(&twin)
                }
            }
            // A migration added at the end runs alone.
            let longer = try Migrator(Self.steps(log) + [Migration("note") { tx in
                try tx.execute(#"UPDATE "accounts" SET "note" = 'opened'"#)
            }])
            #expect(try await longer.migrate(db) == ["note"])
        }
    }

    @Test(arguments: Backend.allCases)
    func aFailingMigrationLeavesNeitherItsWorkNorItsRecord(backend: Backend) async throws {
        struct Broken: Error {}
        try await withDatabase(backend) { db in
            let migrator = try Migrator([
                Migration("create accounts") { tx in try tx.createTable(Account.self) },
                Migration("half done") { tx in
                    var account = Account(owner: "half", balance: 1)
                    try tx.insert(&account)
                    throw Broken()
                },
            ])
            await #expect(throws: Broken.self) { try await migrator.migrate(db) }
            #expect(try await migrator.applied(db) == ["create accounts"])
            #expect(try await db.read { tx in try Account.all().count(tx) } == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func refusesARecordItDoesNotKnowOrInAnotherOrder(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let log = RunLog()
            try await Migrator(Self.steps(log)).migrate(db)
            let ran = log.names.count
            let withoutSeed = try Migrator(Array(Self.steps(log).prefix(2)) + [Migration("other") { _ in }])
            await #expect(throws: MigrationError.unknownMigration("seed")) { try await withoutSeed.migrate(db) }
            let reordered = try Migrator([Self.steps(log)[1], Self.steps(log)[0], Self.steps(log)[2]])
            await #expect(throws: MigrationError.outOfOrder(recorded: "create accounts", expected: "index owners")) {
                try await reordered.migrate(db)
            }
            #expect(log.names.count == ran)
        }
        #expect(throws: MigrationError.invalidName("twice")) {
            try Migrator([Migration("twice") { _ in }, Migration("twice") { _ in }])
        }
    }

    /// Four processes start at once and migrate one database: every migration runs exactly once.
    @Test(arguments: Backend.allCases)
    func concurrentRunnersApplyEachMigrationOnce(backend: Backend) async throws {
        try await withClients(backend, count: 4, poolSize: 2) { clients in
            let log = RunLog()
            let migrator = try Migrator(Self.steps(log))
            let applied = try await withThrowingTaskGroup(of: [String].self) { group in
                for client in clients { group.addTask { try await migrator.migrate(client) } }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(applied.sorted() == ["create accounts", "index owners", "seed"])
            #expect(log.names.sorted() == ["create accounts", "index owners", "seed"])
            #expect(try await clients[0].read { tx in try Account.all().count(tx) } == 1)
        }
    }

    /// Runners that start on an empty database together all find no record table; they must create it one
    /// at a time (PostgreSQL's CREATE TABLE IF NOT EXISTS fails the slower of two that race), so each round's
    /// six runners succeed and apply its step once.
    @Test(arguments: Backend.allCases)
    func runnersStartingTogetherCreateTheRecordTableOnce(backend: Backend) async throws {
        try await withClients(backend, count: 6, poolSize: 1) { clients in
            for client in clients { _ = try await client.read { tx in try tx.fetchValue(Int64.self, "SELECT 1") } }
            for round in 0..<8 {
                let log = RunLog()
                let migrator = try Migrator(table: "record_\(round)", [Migration("step") { _ in log.ran("step") }])
                let applied = try await withThrowingTaskGroup(of: [String].self) { group in
                    for client in clients { group.addTask { try await migrator.migrate(client) } }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                #expect(applied == ["step"], "round \(round)")
                #expect(log.names == ["step"], "round \(round)")
            }
        }
    }
}

/// Which migration bodies ran, across tasks.
final class RunLog: Sendable {
    private let entries = Mutex<[String]>([])
    var names: [String] { entries.withLock { $0 } }
    func ran(_ name: String) { entries.withLock { $0.append(name) } }
}
