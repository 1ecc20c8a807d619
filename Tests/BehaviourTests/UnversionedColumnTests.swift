import Foundation
import Testing
import VersionedORMMacros

/// Columns outside the version: writing only them never conflicts and never makes other copies stale.
@Suite struct UnversionedColumnTests {
    private func insertedSession(_ db: Database) async throws -> DeviceSession {
        try await db.write { tx in
            try tx.createTable(DeviceSession.self)
            var session = DeviceSession(sessionToken: UUID(), user: "ada", theme: "dark", lastSeenAt: nil)
            try tx.insert(&session)
            return session
        }
    }

    @Test(arguments: Backend.allCases)
    func writingOnlyUnversionedColumnsNeitherChecksNorBumps(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            let loaded = try await insertedSession(db)
            var editor = loaded
            // Someone edits the versioned part: version 2.
            try await write(db, &editor) { tx, value in value.theme = "light"; try tx.save(&value) }
            // A stale copy can still record a visit: no check, no bump, no conflict.
            var tracker = loaded
            log.clear()
            let seen = Date(timeIntervalSince1970: 1_700_000_000)
            try await write(db, &tracker) { tx, value in try tx.update(&value) { $0.lastSeenAt = seen; $0.views += 1 } }
            let update = try #require(log.dataStatements.first)
            #expect(!update.contains("\"lock_version\""), "the version is neither checked nor set: \(update)")
            #expect(tracker.lockVersion == 1)
            // Atomic increments of an unversioned column leave the version alone as well.
            try await write(db, &tracker) { tx, value in try tx.update(&value, set: { $0.views += 10 }) }
            #expect(tracker.views == 11)
            #expect(tracker.lockVersion == 2, "refreshed from the row, whose version the editor set")
            // The editor's copy is still current: the visits did not make it stale.
            try await write(db, &editor) { tx, value in value.theme = "blue"; try tx.save(&value) }
            let row = try #require(try await db.read { tx in try tx.find(DeviceSession.self, id: loaded.sessionToken) })
            #expect(row.theme == "blue" && row.views == 11 && row.lastSeenAt == seen && row.lockVersion == 3)
        }
    }

    @Test(arguments: Backend.allCases)
    func aFullSaveDoesNotOverwriteUnversionedColumnsAndAMixedWriteIsVersioned(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let loaded = try await insertedSession(db)
            var counter = loaded
            try await write(db, &counter) { tx, value in try tx.update(&value, set: { $0.views += 5 }) }
            // A copy loaded before the increments saves its versioned columns; the views others counted stay.
            var editor = loaded
            try await write(db, &editor) { tx, value in value.theme = "light"; try tx.save(&value) }
            var row = try #require(try await db.read { tx in try tx.find(DeviceSession.self, id: loaded.sessionToken) })
            #expect(row.views == 5 && row.theme == "light" && row.lockVersion == 2)
            // Changing a versioned and an unversioned column together is an ordinary versioned write.
            var stale = loaded
            let conflict = await expectStale {
                try await write(db, &stale) { tx, value in try tx.update(&value) { $0.theme = "red"; $0.views = 0 } }
            }
            #expect(conflict?.current == .modified(currentVersion: 2))
            try await write(db, &row) { tx, value in try tx.update(&value) { $0.theme = "red"; $0.views = 0 } }
            #expect(row.lockVersion == 3)
            // save(columns:) of only unversioned columns does not bump either.
            row.views = 42
            try await write(db, &row) { tx, value in try tx.save(&value, columns: [\.views]) }
            #expect(row.lockVersion == 3)
            let final = try #require(try await db.read { tx in try tx.find(DeviceSession.self, id: loaded.sessionToken) })
            #expect(final.views == 42 && final.lockVersion == 3)
        }
    }

    @Test(arguments: Backend.allCases)
    func concurrentCountersAndEditsLoseNothing(backend: Backend) async throws {
        try await withDatabase(backend, poolSize: 4) { db in
            let loaded = try await insertedSession(db)
            let id = loaded.sessionToken
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        for _ in 0..<25 {
                            try await db.write { tx in
                                var session = try #require(try tx.find(DeviceSession.self, id: id))
                                try tx.update(&session, set: { $0.views += 1 })
                            }
                        }
                    }
                }
                group.addTask {
                    for step in 0..<25 {
                        _ = try await db.modify(DeviceSession.self, id: id, using: .optimistic(retry: RetryPolicy(maxAttempts: 50))) {
                            $0.theme = "theme \(step)"
                        }
                    }
                }
                try await group.waitForAll()
            }
            let row = try #require(try await db.read { tx in try tx.find(DeviceSession.self, id: id) })
            #expect(row.views == 100)
            #expect(row.theme == "theme 24")
            #expect(row.lockVersion == 26)
        }
    }

    @Test(arguments: Backend.allCases)
    func aBulkUpdateOfOnlyUnversionedColumnsLeavesVersionsAlone(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let loaded = try await insertedSession(db)
            let rows = try await db.write { tx in
                try tx.savepoint { tx in
                    try DeviceSession.all().updateAllReturning(tx) { $0.views += 3 }
                }
            }
            #expect(rows.map(\.views) == [3])
            #expect(rows.map(\.lockVersion) == [1])
            // The copy loaded before is still current, and so is the version after the savepoint was released.
            var copy = loaded
            try await write(db, &copy) { tx, value in value.theme = "light"; try tx.save(&value) }
            #expect(copy.lockVersion == 2)
            let bumped = try await db.write { tx in try DeviceSession.all().updateAllReturning(tx) { $0.theme = .value("x") } }
            #expect(bumped.map(\.lockVersion) == [3])
        }
    }

    @Test(arguments: Backend.allCases)
    func aTransientPropertyIsNotStoredAndReadsBackAsItsDefault(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            var session = try await insertedSession(db)
            session.greetingShown = true
            try await write(db, &session) { tx, value in try tx.save(&value) }
            let token = session.sessionToken
            let row = try await db.read { tx in try tx.find(DeviceSession.self, id: token) }
            #expect(row?.greetingShown == false)
            #expect(DeviceSession.schema.columns.map(\.name) == ["user_name", "theme", "last_seen_at", "views"])
        }
    }
}
