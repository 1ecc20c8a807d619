/// An error reported by the database, classified so callers can react without parsing messages.
///
/// `description` shows the kind, the code, the message and the SQL, never bound values and never the server's
/// detail text (PostgreSQL's detail repeats key values); both are properties for code that wants them, and
/// ``DatabaseConfiguration/revealsValuesInErrors`` puts the bound values into the description while debugging.
/// Server messages that quote input (PostgreSQL's `invalid input syntax for type integer: "…"`) carry the quoted
/// part only when values are revealed. `String(reflecting:)` prints the same text as `description`.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    /// The classes of failure callers act on.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        /// The kind's name, as `description` prints it (`"uniqueViolation"`).
        public let name: String
        // Internal: the kinds are the library's vocabulary, so a caller's `switch` on them stays meaningful.
        init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Serialization failure or deadlock: retrying the whole transaction may succeed.
        public static let transientConflict = Kind("transientConflict")
        /// The database was busy or locked beyond the configured timeout (SQLITE_BUSY, SQLITE_LOCKED).
        public static let busy = Kind("busy")
        /// A row lock could not be had without waiting (NOWAIT).
        public static let lockNotAvailable = Kind("lockNotAvailable")
        /// A unique or primary-key constraint refused a duplicate value.
        public static let uniqueViolation = Kind("uniqueViolation")
        /// A foreign-key constraint failed: the referenced row does not exist, or rows still refer to the one changed.
        public static let foreignKeyViolation = Kind("foreignKeyViolation")
        /// NULL was written to a NOT NULL column; `columnName` names it where the database reports it.
        public static let notNullViolation = Kind("notNullViolation")
        /// A CHECK constraint refused the row.
        public static let checkViolation = Kind("checkViolation")
        /// Any other constraint failure.
        public static let constraintViolation = Kind("constraintViolation")
        /// A write was attempted on a read-only connection or transaction.
        public static let readOnly = Kind("readOnly")
        /// The connection is gone; the pool discards it. Raised before COMMIT was sent, so nothing of the
        /// transaction was committed and running it again is safe.
        public static let connectionLost = Kind("connectionLost")
        /// The connection was lost while COMMIT was on its way, or during a statement that commits by itself
        /// (`writeWithoutTransaction`): the work may or may not have been committed. Retry policies do not retry
        /// it unless told the work is idempotent.
        public static let commitOutcomeUnknown = Kind("commitOutcomeUnknown")
        /// The statement was stopped because the task waiting for it was cancelled (SQLITE_INTERRUPT; PostgreSQL
        /// 57014 after a cancel request).
        public static let cancelled = Kind("cancelled")
        /// The statement did not finish within the configured statement timeout and was cancelled.
        public static let timedOut = Kind("timedOut")
        /// A read-write transaction reached a server that only accepts reads: a hot standby, or a primary being
        /// demoted during a failover. Nothing was applied; the connection is replaced and retry policies retry.
        public static let readOnlyServer = Kind("readOnlyServer")
        /// The server connection has no prepared statement of that name, or already has one (PostgreSQL 26000,
        /// 42P05): a transaction-pooling PgBouncer moved this client to another server connection. Use the
        /// unnamed statement mode behind such a pooler.
        public static let preparedStatementMismatch = Kind("preparedStatementMismatch")
        /// An earlier statement failed and the database refuses more work until the transaction (or a savepoint
        /// around the failure) is rolled back: PostgreSQL's rule.
        public static let transactionAborted = Kind("transactionAborted")
        /// A bound value cannot be stored by this database (PostgreSQL text cannot hold a NUL character).
        public static let invalidValue = Kind("invalidValue")
        /// The statement cannot be run (syntax error, missing table, and the like).
        public static let invalidStatement = Kind("invalidStatement")
        /// A failure the library does not classify; `code` and `message` say what it was.
        public static let other = Kind("other")
    }

    /// The class of failure, for code to react to; `isTransient` and `isConstraintViolation` group the kinds.
    public let kind: Kind
    /// The PostgreSQL SQLSTATE (`"40001"`) or the SQLite extended result code name (`"SQLITE_CONSTRAINT_UNIQUE"`).
    public let code: String
    /// The numeric result code where the database has one (SQLite's extended result code).
    public let numericCode: Int32?
    /// The database's message without any input it quoted, so it is safe to print (see `messageWithValues`).
    public let message: String
    /// Extra text from the server; may contain row values.
    public let detail: String?
    /// The text of the statement that failed, with placeholders and never values; nil when no statement is attached.
    public let sql: String?
    /// The statement's bound values; kept only when values may be revealed.
    public let binds: [DatabaseValue]?
    /// The column the failure names, where the database reports one (the column of a NOT NULL violation).
    public let columnName: String?
    /// The message with the input it quoted, when that differs from ``message``; kept only when values may be
    /// revealed.
    public let messageWithValues: String?
    /// How many attempts a retry policy ran before this error ended the run; 1 without a policy.
    public internal(set) var attempts: Int = 1
    /// Why the retry policy that ran the work gave up on this error, or nil when none did.
    public internal(set) var retriesExhausted: RetryGiveUp?

    /// An error as a driver (or a test's fault injector) reports it.
    ///
    /// - Parameters:
    ///   - kind: what happened, in the terms every driver shares.
    ///   - code: the PostgreSQL SQLSTATE or the SQLite result code's name.
    ///   - numericCode: SQLite's extended result code, when there is one.
    ///   - message: the message as it may be printed: without values the database quoted from the input.
    ///   - detail: the server's detail line, under the same rule as `message`.
    ///   - sql: the statement's text, with placeholders.
    ///   - binds: the statement's values; kept only when values may be revealed.
    ///   - columnName: the column a constraint or conversion failure names.
    ///   - messageWithValues: the full message, when it quotes input; dropped unless values are revealed.
    public init(kind: Kind, code: String, numericCode: Int32? = nil, message: String, detail: String? = nil,
                sql: String? = nil, binds: [DatabaseValue]? = nil, columnName: String? = nil,
                messageWithValues: String? = nil) {
        self.kind = kind
        self.code = code
        self.numericCode = numericCode
        self.message = message
        self.detail = detail
        self.sql = sql
        self.binds = binds
        self.columnName = columnName
        self.messageWithValues = messageWithValues
    }

    /// True for the failures a retry policy retries: serialization failures, deadlocks, busy databases, and a
    /// write that reached a read-only server mid-failover (nothing was applied).
    public var isTransient: Bool { kind == .transientConflict || kind == .busy || kind == .readOnlyServer }

    /// True for every constraint failure: unique, foreign-key, NOT NULL, CHECK and any other.
    public var isConstraintViolation: Bool {
        [.uniqueViolation, .foreignKeyViolation, .notNullViolation, .checkViolation, .constraintViolation].contains(kind)
    }

    public var description: String {
        var text = "DatabaseError(\(kind), code \(code)): \(binds != nil ? messageWithValues ?? message : message)"
        if let sql { text += " — SQL: \(sql)" }
        if let binds { text += " — values: \(binds)" }
        if retriesExhausted != nil { text += " — gave up after \(attempts) attempt\(attempts == 1 ? "" : "s")" }
        return text
    }

    /// The same error with the statement that caused it attached; values only when `revealValues`.
    package func with(statement: RenderedSQL, revealValues: Bool) -> DatabaseError {
        DatabaseError(kind: kind, code: code, numericCode: numericCode, message: message, detail: detail,
                      sql: statement.text, binds: revealValues ? statement.binds : nil, columnName: columnName,
                      messageWithValues: revealValues ? messageWithValues : nil)
    }

    /// The same error with another kind, for a failure whose meaning the core knows better than the driver
    /// (a lost connection during COMMIT is an unknown outcome).
    public func with(kind: Kind, message: String? = nil) -> DatabaseError {
        DatabaseError(kind: kind, code: code, numericCode: numericCode, message: message ?? self.message,
                      detail: detail, sql: sql, binds: binds, columnName: columnName,
                      messageWithValues: messageWithValues)
    }

    /// `text` with every double-quoted part replaced by `"…"`: what a server message that quotes input may show.
    public static func redactingQuotedText(_ text: String) -> String {
        var result = ""
        var inQuote = false
        for character in text {
            if character == "\"" {
                result.append(character)
                if !inQuote { result += "…" }
                inQuote.toggle()
            } else if !inQuote {
                result.append(character)
            }
        }
        return result
    }
}
