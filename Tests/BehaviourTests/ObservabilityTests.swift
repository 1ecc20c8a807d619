import InMemoryTracing
import Logging
import Metrics
import MetricsTestKit
import Testing
import Tracing
import VersionedORM
import VersionedORMTracing

/// Spans, metrics and logs in the conventional shapes, from real operations on both databases.
@Suite struct ObservabilityTests {
    static func attribute(_ span: FinishedInMemorySpan, _ key: String) -> SpanAttribute? {
        span.attributes[key]?.toSpanAttribute()
    }

    @Test(arguments: Backend.allCases)
    func operationsAndStatementsBecomeSpansUnderTheCallersSpan(backend: Backend) async throws {
        let tracer = InMemoryTracer()
        try await withDatabase(backend, configure: { $0.instrumentation = DatabaseTracing(tracer: tracer) }) { db in
            try await db.write { tx in try tx.createTable(Account.self) }
            tracer.clearFinishedSpans()
            let request = tracer.startSpan("request")
            let secret = "owner-secret-7f3a"
            try await ServiceContext.withValue(request.context) {
                try await db.write { tx in
                    var account = Account(owner: secret, balance: 10)
                    try tx.insert(&account)
                }
            }
            request.end()
            let spans = tracer.finishedSpans
            let operation = try #require(spans.first { $0.operationName == "write" })
            #expect(operation.parentSpanID == request.context.inMemorySpanContext?.spanID)
            #expect(operation.kind == .client)
            let system = backend == .sqlite ? "sqlite" : "postgresql"
            #expect(Self.attribute(operation, "db.system.name") == .string(system))
            #expect(Self.attribute(operation, "versioned_orm.attempt") == .int64(1))
            let statements = spans.filter { $0.parentSpanID == operation.spanID }
            #expect(statements.map(\.operationName).contains("BEGIN"))
            #expect(statements.map(\.operationName).contains("COMMIT"))
            let insert = try #require(statements.first { $0.operationName == "INSERT accounts" })
            #expect(Self.attribute(insert, "db.operation.name") == .string("INSERT"))
            #expect(Self.attribute(insert, "db.collection.name") == .string("accounts"))
            guard case .string(let text)? = Self.attribute(insert, "db.query.text") else {
                Issue.record("no db.query.text on the INSERT span")
                return
            }
            #expect(text.hasPrefix("INSERT INTO \"accounts\""))
            // Bound values never reach a span.
            for span in spans {
                #expect(!"\(span.attributes)".contains(secret), "\(span.operationName)")
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func failuresSetTheErrorTypeAndRetriesTheirAttempt(backend: Backend) async throws {
        let tracer = InMemoryTracer()
        try await withDatabase(backend, configure: { $0.instrumentation = DatabaseTracing(tracer: tracer) }) { db in
            let account = try await seedAccounts(db)[0]
            _ = try await db.write { tx in
                var fresh = account
                try tx.update(&fresh) { $0.balance += 1 }
            }
            tracer.clearFinishedSpans()
            await #expect(throws: StaleRecordError.self) {
                try await db.write(retry: RetryPolicy(maxAttempts: 2, backoff: .none)) { tx in
                    var stale = account
                    try tx.update(&stale) { $0.balance += 5 }
                }
            }
            let writes = tracer.finishedSpans.filter { $0.operationName == "write" }
            #expect(writes.count == 2)
            #expect(writes.map { Self.attribute($0, "versioned_orm.attempt") } == [.int64(1), .int64(2)])
            #expect(writes.allSatisfy { Self.attribute($0, "error.type") == .string("stale") && $0.status?.code == .error })
            tracer.clearFinishedSpans()
            await #expect(throws: DatabaseError.self) {
                try await db.write { tx in try tx.execute("SELECT * FROM no_such_table") }
            }
            let failed = try #require(tracer.finishedSpans.first { $0.operationName == "SELECT no_such_table" })
            #expect(Self.attribute(failed, "error.type") == .string("invalidStatement"))
        }
    }

    @Test(arguments: Backend.allCases)
    func operationsRecordDurationWaitAndErrorsByKind(backend: Backend) async throws {
        let metrics = testMetrics
        try await withDatabase(backend) { db in
            let system = backend == .sqlite ? "sqlite" : "postgresql"
            func errors(_ type: String) -> Int64 {
                metrics.counterTotal(label: "versioned_orm.errors", dimensions: [("db.system.name", system), ("error.type", type)])
            }
            let writes = try metrics.expectTimer("versioned_orm.operation_duration",
                                                 [("db.system.name", system), ("operation", "write")])
            let waits = try metrics.expectTimer("versioned_orm.connection_wait", [("db.system.name", system)])
            let (writesBefore, waitsBefore) = (writes.values.count, waits.values.count)
            let account = try await seedAccounts(db)[0]
            let staleBefore = errors("stale")
            await #expect(throws: StaleRecordError.self) {
                try await db.write { tx in
                    var stale = account
                    stale.version = 99
                    try tx.update(&stale) { $0.balance += 5 }
                }
            }
            #expect(writes.values.count >= writesBefore + 2)
            #expect(waits.values.count >= waitsBefore + 2)
            #expect(errors("stale") >= staleBefore + 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func theCallersTaskLocalLoggerCarriesItsMetadataIntoLibraryLogs(backend: Backend) async throws {
        let records = LogRecords()
        var requestLogger = Logger(label: "request") { _ in CapturingLogHandler(records: records) }
        requestLogger.logLevel = .trace
        requestLogger[metadataKey: "request.id"] = "r-42"
        try await withDatabase(backend, configure: { $0.usesTaskLocalLogger = true }) { db in
            try await withLogger(requestLogger) { _ in
                try await db.write { tx in try tx.createTable(Account.self) }
            }
            let statements = records.all.filter { $0.message == "statement" }
            #expect(!statements.isEmpty)
            #expect(statements.allSatisfy { $0.metadata["request.id"] == "r-42" })
            #expect(statements.contains { ($0.metadata["db.query.text"] ?? "").hasPrefix("CREATE TABLE") })
        }
    }
}
