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

    public init(
        logger: Logger = Logger(label: "versioned-orm", factory: { _ in SwiftLogNoOpLogHandler() }),
        trace: (@Sendable (String) -> Void)? = nil,
        revealsValuesInErrors: Bool = false,
        connectionTimeout: Duration = .seconds(30)
    ) {
        self.logger = logger
        self.trace = trace
        self.revealsValuesInErrors = revealsValuesInErrors
        self.connectionTimeout = connectionTimeout
    }
}
