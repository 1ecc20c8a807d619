import Foundation
import Logging
import PostgresDriver
import Synchronization
import Testing
import VersionedORM

/// Passwords and bound values stay out of descriptions, `String(reflecting:)` and logs unless values are revealed.
@Suite struct SecretRedactionTests {
    private static let malformedURLs = [
        "postgresql://app:hunter2-secret@localhost:5432/db?sslmode=%zz",  // a bad %-escape
        "postgresql://app:hunter2%zz-secret@localhost/db",               // a bad %-escape in the password
        "postgresql://app:hunter2-secret@[::1/db",                        // an unterminated IPv6 host
        "postgresql://app:hunter2-secret@localhost:54x32/db",             // junk after the host
        "jdbc:postgresql://app:hunter2-secret@localhost/db",              // another scheme
        "mysql://app:hunter2-secret@localhost/db",
    ]

    @Test(arguments: malformedURLs)
    func aMalformedConnectionStringIsRefusedWithoutRepeatingIt(url: String) async throws {
        do {
            let db = try await Database.postgres(url: url, configuration: PostgresConfiguration(connectTimeout: .seconds(2)))
            await db.close()
            Issue.record("connected with a malformed connection string")
        } catch {
            // Parse errors and foreign schemes are refused before libpq connects; a bad port value is libpq's own
            // connect error. Neither repeats the string.
            let refusedEarly = url.contains("54x32") ? error is DatabaseError : error is UsageError
            #expect(refusedEarly, "\(error)")
            #expect(!"\(error)".contains("hunter2"))
            #expect(!String(reflecting: error).contains("hunter2"))
        }
    }

    @Test func serverMessagesThatQuoteInputHideItUnlessValuesAreRevealed() async throws {
        let secret = "card-4111-1111-1111-1111"
        for reveal in [false, true] {
            let db = try await Database.postgres(configuration: PostgresConfiguration(
                connectionString: try Backend.postgresURL,
                database: DatabaseConfiguration(revealsValuesInErrors: reveal), poolSize: 1))
            do {
                _ = try await db.read { tx in try tx.fetchValue(Int64.self, "SELECT CAST(\(secret) AS BIGINT)") }
                Issue.record("a text cast to bigint succeeded")
            } catch let error as DatabaseError {
                #expect(error.code == "22P02" && error.kind == .invalidValue)
                #expect("\(error)".contains(secret) == reveal)
                #expect(String(reflecting: error).contains(secret) == reveal)
                #expect(error.message.contains("invalid input syntax for type bigint"))
            }
            await db.close()
        }
    }

    @Test func serverNoticesGoToTheLoggerNotToStandardError() async throws {
        let records = LogRecords()
        var logger = Logger(label: "test.notices") { _ in CapturingLogHandler(records: records) }
        logger.logLevel = .debug
        let db = try await Database.postgres(configuration: PostgresConfiguration(
            connectionString: try Backend.postgresURL, database: DatabaseConfiguration(logger: logger), poolSize: 1))
        try await db.write { tx in
            try tx.execute("DO $$ BEGIN RAISE NOTICE 'a notice quoting \"%\"', 'secret-value'; END $$")
        }
        await db.close()
        let notices = records.all.filter { $0.message == "postgres notice" }
        #expect(notices.count == 1)
        #expect(notices.first?.metadata["db.severity"] == "NOTICE")
        #expect(notices.first?.metadata["db.message"] == "a notice quoting \"…\"")
        #expect(!records.all.contains { "\($0.metadata)".contains("secret-value") })
    }
}

/// What a test logger received.
final class LogRecords: Sendable {
    struct Record: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])
    var all: [Record] { records.withLock { $0 } }
    func append(_ record: Record) { records.withLock { $0.append(record) } }
}

struct CapturingLogHandler: LogHandler {
    let records: LogRecords
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        records.append(.init(level: event.level, message: event.message.description,
                             metadata: merged.mapValues { "\($0)" }))
    }
}
