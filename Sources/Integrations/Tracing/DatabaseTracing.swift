import Tracing
import VersionedORM

/// Spans for the database's work through swift-distributed-tracing, in OpenTelemetry's database conventions:
/// one client span per operation (a transaction, or the autocommitted statements of a `modify`), a child of the
/// calling task's span, and one child span per statement.
///
/// ```swift
/// var configuration = DatabaseConfiguration()
/// configuration.instrumentation = DatabaseTracing()        // the tracer bootstrapped in InstrumentationSystem
/// let db = try await Database.sqlite(path: "app.sqlite", configuration: SQLiteConfiguration(database: configuration))
/// ```
///
/// Attributes: `db.system.name`, `db.namespace`, `server.address` on every span; on a statement's span
/// `db.query.text` (the text with its placeholders: bound values never reach a span), `db.operation.name`
/// (`SELECT`, `UPDATE`, `BEGIN`, …) and `db.collection.name` (the table, when the statement names one); on the
/// operation's span `versioned_orm.attempt` (the retry policy's attempt). A failure sets `error.type` (the
/// `DatabaseError` kind, or `stale` for `StaleRecordError`) and the span's error status.
public struct DatabaseTracing: DatabaseInstrumentation {
    private let tracer: (any Tracer)?

    /// Spans through `tracer`, or through the tracer bootstrapped in `InstrumentationSystem` when nil (read
    /// at each operation, so a later bootstrap is seen).
    public init(tracer: (any Tracer)? = nil) {
        self.tracer = tracer
    }

    /// Starts the operation's span as a child of the calling task's `ServiceContext`.
    public func operationStarted(_ operation: DatabaseOperation) -> any DatabaseOperationObserver {
        let tracer = self.tracer ?? InstrumentationSystem.tracer
        let span = tracer.startSpan(operation.name, context: ServiceContext.current ?? .topLevel, ofKind: .client)
        var common = SpanAttributes()
        common["db.system.name"] = operation.system
        if let namespace = operation.namespace { common["db.namespace"] = namespace }
        if let address = operation.serverAddress { common["server.address"] = address }
        span.attributes.merge(common)
        span.attributes["versioned_orm.attempt"] = operation.attempt
        return OperationSpan(tracer: tracer, span: span, common: common)
    }
}

/// One operation's span and the statements' spans under it. Its calls come in order, never at once (the
/// operation runs on one connection at a time), so it keeps no state besides the span.
private struct OperationSpan: DatabaseOperationObserver {
    let tracer: any Tracer
    let span: any Span
    let common: SpanAttributes

    func connectionAcquired(after waited: Duration) {
        var attributes = SpanAttributes()
        attributes["versioned_orm.connection_wait_ns"] = waited.clampedNanoseconds
        span.addEvent(SpanEvent(name: "connection acquired", attributes: attributes))
    }

    func statementFinished(_ text: String, startedAt: ContinuousClock.Instant, error: (any Error)?) {
        let summary = StatementSummary(text)
        let elapsed = UInt64(startedAt.duration(to: .now).clampedNanoseconds)
        let now = DefaultTracerClock.now.nanosecondsSinceEpoch
        let start = DefaultTracerClock.Timestamp(nanosecondsSinceEpoch: now > elapsed ? now - elapsed : 0)
        let statement = tracer.startSpan(summary.spanName, context: span.context, ofKind: .client, at: start)
        statement.attributes.merge(common)
        statement.attributes["db.query.text"] = text
        if let operation = summary.operation { statement.attributes["db.operation.name"] = operation }
        if let table = summary.table { statement.attributes["db.collection.name"] = table }
        if let error { OperationSpan.fail(statement, with: error) }
        statement.end()
    }

    func operationFinished(error: (any Error)?) {
        if let error { OperationSpan.fail(span, with: error) }
        span.end()
    }

    static func fail(_ span: any Span, with error: any Error) {
        span.attributes["error.type"] = OperationMetrics.errorType(error)
        span.recordError(error)
        span.setStatus(SpanStatus(code: .error))
    }
}
