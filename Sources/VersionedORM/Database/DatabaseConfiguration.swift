import Logging

/// Settings every driver shares.
public struct DatabaseConfiguration: Sendable {
    /// Where the library logs: statements at trace level, transaction outcomes at debug. Bound values are never
    /// logged. The default discards everything; pass your application's logger to see it.
    public var logger: Logger
    /// Called with the text of every statement sent (never its values): for tests, auditing and debugging.
    public var trace: (@Sendable (String) -> Void)?
    /// When true, errors carry and print the statement's bound values. Off by default: values may be secrets.
    public var revealsValuesInErrors: Bool
    /// How long `read` / `write` wait for a free connection before throwing ``UsageError/connectionTimeout(seconds:)``.
    public var connectionTimeout: Duration
    /// Watches every operation and statement (nil: none): the `VersionedORMTracing` product's `DatabaseTracing`
    /// makes spans of them.
    public var instrumentation: (any DatabaseInstrumentation)?
    /// When true, each operation logs to swift-log's task-local logger (`Logger.current`, set with
    /// `withLogger`) of the task that called it, so a request's metadata reaches the library's logs; `logger`
    /// then serves only code outside any task. Off by default, because outside a `withLogger` scope
    /// `Logger.current` is swift-log's default logger, which writes to stderr when nothing was bootstrapped.
    public var usesTaskLocalLogger: Bool
    /// Installed by the `VersionedORMTesting` product; nil otherwise.
    package var testHooks: TestHooks?

    /// The defaults log nothing, trace nothing, keep bound values out of errors and wait 30 seconds for a
    /// connection.
    public init(
        logger: Logger = Logger(label: "versioned-orm", factory: { _ in SwiftLogNoOpLogHandler() }),
        trace: (@Sendable (String) -> Void)? = nil,
        revealsValuesInErrors: Bool = false,
        connectionTimeout: Duration = .seconds(30),
        instrumentation: (any DatabaseInstrumentation)? = nil,
        usesTaskLocalLogger: Bool = false
    ) {
        self.logger = logger
        self.trace = trace
        self.revealsValuesInErrors = revealsValuesInErrors
        self.connectionTimeout = connectionTimeout
        self.instrumentation = instrumentation
        self.usesTaskLocalLogger = usesTaskLocalLogger
    }
}
