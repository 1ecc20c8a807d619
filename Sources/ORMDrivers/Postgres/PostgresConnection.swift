import CLibPQ
import Foundation
import Logging
import VersionedORM

/// One libpq connection with its named prepared statements. Confined to one lane (see `DatabaseConnection`):
/// libpq connections are not safe to share between threads, and these calls block.
final class PostgresConnection: DatabaseConnection {
    private let connection: OpaquePointer
    private let statements: PostgresStatementCache
    private let statementMode: PostgresConfiguration.StatementMode
    /// Set while the library's own transaction is read-only, so a read-only refusal then is the caller's
    /// mistake, and otherwise means the server itself is read-only.
    private var inReadOnlyTransaction = false
    private let statementTimeout: Duration?
    private let cancelGracePeriod: Duration
    private let cancellation: PostgresInterrupter
    /// Retained here: libpq holds only a raw pointer to it.
    private let notices: NoticeSink
    /// Set when a statement was abandoned mid-answer: the connection's protocol state is unknown, so it is
    /// never used again.
    private var isAbandoned = false

    /// True on a primary connection of a database with replicas: commits hand out tokens.
    private let issuesCommitTokens: Bool

    init(configuration: PostgresConfiguration, role: ConnectionRole = .writer) throws {
        let replica = role == .reader ? configuration.replicaConnectionString : nil
        let connectionString = replica ?? configuration.connectionString
        try Self.validate(connectionString: connectionString)
        // The timeouts go first, so the connection string (expanded from dbname) and the explicit parameters after
        // it override them; dbname comes with expand_dbname set, so a URI or conninfo string there is expanded.
        var keywords: [String] = []
        var values: [String] = []
        for (keyword, value) in configuration.timeoutParameters {
            keywords.append(keyword)
            values.append(value)
        }
        keywords.append("dbname")
        values.append(connectionString)
        for (keyword, value) in configuration.parameters.sorted(by: { $0.key < $1.key }) {
            keywords.append(keyword)
            values.append(value)
        }
        keywords.append("client_encoding")
        values.append("UTF8")
        // Server notices, and the FATAL message of a backend terminated while connecting, would go to stderr
        // through libpq's default notice processor: the receiver is installed before the first byte is read.
        let notices = NoticeSink(logger: configuration.database.logger)
        let started = try Self.withCStrings(keywords) { keywords in
            try Self.withCStrings(values) { values in PQconnectStartParams(keywords, values, 1) }
        }
        guard let opened = started else {
            throw DatabaseError(kind: .connectionLost, code: "08006", message: "libpq could not allocate a connection")
        }
        PQsetNoticeReceiver(opened, noticeReceiver, Unmanaged.passUnretained(notices).toOpaque())
        do {
            try Self.finishConnecting(opened)
        } catch {
            PQfinish(opened)
            throw error
        }
        connection = opened
        statements = PostgresStatementCache(capacity: configuration.statementCacheCapacity)
        statementTimeout = configuration.statementTimeout
        cancelGracePeriod = configuration.cancelGracePeriod
        statementMode = configuration.statementMode
        issuesCommitTokens = role == .writer && configuration.replicaConnectionString != nil
        cancellation = PostgresInterrupter(cancel: PQgetCancel(opened))
        self.notices = notices
        // From here on every stored property is set, so a throw runs deinit, which calls PQfinish: calling it
        // here as well would free the connection twice.
        // The row decoder reads ISO timestamps. DateStyle and TimeZone are among the settings PgBouncer restores
        // for each client, so setting them once per session is safe behind it; bytea_output is not, and the
        // decoder reads both of its forms instead of setting it.
        try simpleCommand("SET DateStyle = 'ISO'; SET TimeZone = 'UTC'")
    }

    func commitToken() throws -> CommitToken? {
        guard issuesCommitTokens else { return nil }
        // The insert position, not the write position: with synchronous_commit off the commit record may not be
        // written yet, and a token before it would let a replica read miss the commit.
        return try lsn("SELECT pg_current_wal_insert_lsn()")
    }

    func waitUntilVisible(_ token: CommitToken, timeout: Duration) throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        var pause = Duration.microseconds(100)
        while true {
            // NULL when the server is not in recovery: a primary shows every commit.
            guard let replayed = try lsn("SELECT pg_last_wal_replay_lsn()") else { return true }
            if replayed >= token { return true }
            if ContinuousClock.now + pause > deadline { return false }
            usleep(UInt32(clamping: pause.clampedNanoseconds / 1000))
            pause = min(pause * 2, .milliseconds(5))
        }
    }

    /// Runs a query that returns one LSN, outside any transaction (simple protocol, nothing cached).
    private func lsn(_ sql: String) throws -> CommitToken? {
        let result = try exchange(blocking: { PQexec(connection, sql) }, sending: { PQsendQuery(connection, sql) })
        defer { PQclear(result) }
        try check(result)
        guard let result, PQntuples(result) == 1, PQgetisnull(result, 0, 0) == 0,
              let text = PQgetvalue(result, 0, 0)
        else { return nil }
        return CommitToken(lsn: String(cString: text))
    }

    func transactionWillBegin(_ options: TransactionOptions) throws {
        inReadOnlyTransaction = options.readOnly
    }

    func transactionDidEnd() {
        inReadOnlyTransaction = false
        if !statements.orphans.isEmpty, isUsable {
            for name in statements.adoptOrphans() { deallocate(name) }
        }
    }

    deinit {
        cancellation.detach()
        PQfinish(connection)
    }

    var isUsable: Bool { !isAbandoned && PQstatus(connection) == CONNECTION_OK }

    var transactionState: ConnectionTransactionState {
        switch PQtransactionStatus(connection) {
        case PQTRANS_INTRANS, PQTRANS_ACTIVE: .active
        case PQTRANS_INERROR: .failed
        // PQTRANS_UNKNOWN: the connection is bad, so whatever was open is gone.
        default: .none
        }
    }

    var interrupter: (any ConnectionInterrupter)? { cancellation }

    func execute(_ statement: RenderedSQL) throws -> Int {
        let result = try run(statement)
        defer { PQclear(result) }
        return Self.affectedRows(result)
    }

    @discardableResult
    func query(_ statement: RenderedSQL, _ body: (inout Row) throws -> Void) throws -> Int {
        let result = try run(statement)
        defer { PQclear(result) }
        let cursor = PostgresRowCursor(result: result)
        for index in 0..<PQntuples(result) {
            cursor.row = index
            var row = Row(cursor: cursor)
            try body(&row)
        }
        return Self.affectedRows(result)
    }

    /// In libpq's single-row mode: each row arrives as a result of its own and is handed over and freed before
    /// the next is read, so memory stays flat however many rows the statement returns. `body` must not run
    /// another statement on this connection meanwhile (the core refuses it). When `body` throws, the remaining
    /// rows are read and dropped, so the connection is idle again and the transaction not aborted (a cancel would
    /// abort it, unlike SQLite, where stopping a statement early costs nothing).
    func stream(_ statement: RenderedSQL, _ body: (inout Row) throws -> Void) throws -> Int {
        let parameters = try PostgresParameters(statement.binds)
        let count = Int32(statement.binds.count)
        var preparedKey: PostgresStatementCache.Key?
        let sent: Int32
        if statementMode == .unnamed || statement.caching == .transient {
            sent = sendUnnamed(statement.text, parameters, count: count)
        } else {
            let key = PostgresStatementCache.Key(sql: statement.text, types: parameters.types)
            let name = try preparedName(for: key)
            preparedKey = key
            sent = sendPrepared(name, parameters, count: count)
        }
        guard sent == 1 else {
            try check(nil)
            return 0
        }
        // Refused only right after a failed send, which was caught above; the result would then come whole.
        _ = PQsetSingleRowMode(connection)

        var wait = AnswerWait(timeout: statementTimeout)
        var failure: OpaquePointer?
        defer { if let failure { PQclear(failure) } }
        var bodyError: (any Error)?
        var changed = 0
        var finished = false
        var cursor: PostgresRowCursor?
        while let result = try nextResult(&wait) {
            switch PQresultStatus(result) {
            case PGRES_SINGLE_TUPLE, PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                // In single-row mode the last result holds no rows and the command tag.
                if PQresultStatus(result) != PGRES_SINGLE_TUPLE {
                    changed = Self.affectedRows(result)
                    finished = true
                }
                guard bodyError == nil, failure == nil, PQntuples(result) > 0 else { break }
                let rowCursor = cursor?.reading(result) ?? PostgresRowCursor(result: result)
                cursor = rowCursor
                do {
                    for index in 0..<PQntuples(result) {
                        rowCursor.row = index
                        var row = Row(cursor: rowCursor)
                        try body(&row)
                    }
                } catch {
                    bodyError = error
                }
            default:
                if failure == nil {
                    failure = result
                    continue
                }
            }
            PQclear(result)
        }
        if let bodyError { throw bodyError }
        if let failed = failure {
            failure = nil
            let checked = try timedOutIfCancelled(failed, wait)
            defer { if let checked { PQclear(checked) } }
            do {
                try check(checked)
            } catch let error as DatabaseError {
                if let preparedKey { forgetIfOutdated(preparedKey, after: error) }
                throw error
            }
        }
        // The rows end with a result holding the command tag; without it, they did not all arrive.
        guard finished else { throw lostConnectionError() }
        return changed
    }

    private func run(_ statement: RenderedSQL) throws -> OpaquePointer {
        let parameters = try PostgresParameters(statement.binds)
        // A statement sent once is not worth a name on the server: parse, run and forget it.
        if statementMode == .unnamed || statement.caching == .transient { return try runUnnamed(statement, parameters) }
        let key = PostgresStatementCache.Key(sql: statement.text, types: parameters.types)
        let name = try preparedName(for: key)
        let count = Int32(statement.binds.count)
        let result = try exchange(
            blocking: {
                parameters.withUnsafeArrays { values, lengths, formats in
                    PQexecPrepared(connection, name, count, values, lengths, formats, 0)
                }
            },
            sending: { sendPrepared(name, parameters, count: count) })
        do {
            try check(result)
        } catch let error as DatabaseError {
            forgetIfOutdated(key, after: error)
            throw error
        }
        guard let result else { throw lostConnectionError() }
        return result
    }

    /// The server no longer has the statement, or its plan no longer fits the table: prepare it afresh next time.
    private func forgetIfOutdated(_ key: PostgresStatementCache.Key, after error: DatabaseError) {
        if error.code == "26000" || error.code == "0A000" { statements.remove(key) }
    }

    /// Sends a named prepared statement without waiting for its answer; 1 when the request went out.
    private func sendPrepared(_ name: String, _ parameters: PostgresParameters, count: Int32) -> Int32 {
        parameters.withUnsafeArrays { values, lengths, formats in
            PQsendQueryPrepared(connection, name, count, values, lengths, formats, 0)
        }
    }

    /// Sends a statement as the unnamed one (Parse, Bind, Execute) without waiting; 1 when the request went out.
    private func sendUnnamed(_ text: String, _ parameters: PostgresParameters, count: Int32) -> Int32 {
        parameters.types.withUnsafeBufferPointer { types in
            parameters.withUnsafeArrays { values, lengths, formats in
                PQsendQueryParams(connection, text, count, types.baseAddress, values, lengths, formats, 0)
            }
        }
    }

    /// One message train (Parse, Bind, Execute, Sync) with the unnamed statement: nothing outlives the request,
    /// so a transaction pooler may hand every request to another server connection.
    private func runUnnamed(_ statement: RenderedSQL, _ parameters: PostgresParameters) throws -> OpaquePointer {
        let count = Int32(statement.binds.count)
        let result = try parameters.types.withUnsafeBufferPointer { types in
            try exchange(
                blocking: {
                    parameters.withUnsafeArrays { values, lengths, formats in
                        PQexecParams(connection, statement.text, count, types.baseAddress, values, lengths, formats, 0)
                    }
                },
                sending: { sendUnnamed(statement.text, parameters, count: count) })
        }
        try check(result)
        guard let result else { throw lostConnectionError() }
        return result
    }

    private func preparedName(for key: PostgresStatementCache.Key) throws -> String {
        if let name = statements.name(for: key) { return name }
        let name = statements.nextName()
        let result = try key.types.withUnsafeBufferPointer { types in
            try exchange(
                blocking: { PQprepare(connection, name, key.sql, Int32(key.types.count), types.baseAddress) },
                sending: { PQsendPrepare(connection, name, key.sql, Int32(key.types.count), types.baseAddress) })
        }
        defer { PQclear(result) }
        try check(result)
        if let evicted = statements.insert(name, for: key) { deallocate(evicted) }
        return name
    }

    /// Frees one named statement on the server. Inside an aborted transaction that fails; the name is then kept
    /// and freed once the transaction has ended. Names are never reused, so a late free cannot hit another.
    private func deallocate(_ name: String) {
        guard transactionState != .failed,
              let result = try? exchange(blocking: { PQexec(connection, "DEALLOCATE \"\(name)\"") },
                                         sending: { PQsendQuery(connection, "DEALLOCATE \"\(name)\"") })
        else {
            statements.orphaned(name)
            return
        }
        defer { PQclear(result) }
        if (try? check(result)) == nil { statements.orphaned(name) }
    }

    /// The simple query protocol, never a named statement: a ROLLBACK must work on whatever server connection a
    /// transaction pooler assigned, even when the statement before it failed for want of a prepared statement.
    func executeTransactionControl(_ sql: String) throws {
        try simpleCommand(sql)
    }

    private func simpleCommand(_ sql: String) throws {
        let result = try exchange(blocking: { PQexec(connection, sql) }, sending: { PQsendQuery(connection, sql) })
        defer { PQclear(result) }
        try check(result)
    }

    /// Sends one request and returns its result. Without a statement timeout this is libpq's blocking call;
    /// with one, the request is sent and the answer awaited with `poll`, so a server that stops answering
    /// cannot hold the caller beyond the timeout (plus the cancellation's grace period).
    private func exchange(blocking: () -> OpaquePointer?, sending: () -> Int32) throws -> OpaquePointer? {
        guard statementTimeout != nil else { return blocking() }
        guard sending() == 1 else {
            // Nothing went out: a client-side refusal, or a connection already gone.
            return nil
        }
        var wait = AnswerWait(timeout: statementTimeout)
        // One result per statement of the request, then NULL. Like PQexec, answer with the last, unless one
        // failed: then with the first failure. Draining them all leaves the connection idle.
        var first: OpaquePointer?
        while let result = try nextResult(&wait) {
            if let kept = first, PQresultStatus(kept) == PGRES_FATAL_ERROR {
                PQclear(result)
            } else {
                if let kept = first { PQclear(kept) }
                first = result
            }
        }
        return try timedOutIfCancelled(first, wait)
    }

    /// How long the results of one request may take, and whether the request was cancelled for taking longer.
    private struct AnswerWait {
        var deadline: ContinuousClock.Instant?
        var cancelled = false

        init(timeout: Duration?) {
            deadline = timeout.map { ContinuousClock.now + $0 }
        }
    }

    /// The next result of the request in flight, nil after the last. Without a statement timeout libpq blocks
    /// for it; with one, the socket is polled up to the deadline, then the statement cancelled, then (no answer to
    /// the cancellation within the grace period) the connection abandoned.
    private func nextResult(_ wait: inout AnswerWait) throws -> OpaquePointer? {
        guard let statementTimeout, var deadline = wait.deadline else { return PQgetResult(connection) }
        while PQisBusy(connection) != 0 {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero {
                if wait.cancelled {
                    isAbandoned = true
                    throw DatabaseError(
                        kind: .connectionLost, code: "08006",
                        message: "no answer from the server within the statement timeout (\(statementTimeout)) "
                            + "nor to the cancellation that followed; the connection was closed")
                }
                wait.cancelled = true
                cancellation.interrupt()
                deadline = ContinuousClock.now + cancelGracePeriod
                wait.deadline = deadline
                continue
            }
            let ready = Self.waitForSocket(of: connection, events: POLLIN,
                                           milliseconds: Int32(clamping: remaining.clampedMilliseconds + 1))
            if ready < 0 && errno != EINTR { isAbandoned = true; throw lostConnectionError() }
            if ready > 0 && PQconsumeInput(connection) == 0 { throw lostConnectionError() }
        }
        return PQgetResult(connection)
    }

    /// `result`, unless it is the cancellation that the statement timeout caused: then the timeout's error.
    private func timedOutIfCancelled(_ result: OpaquePointer?, _ wait: AnswerWait) throws -> OpaquePointer? {
        guard wait.cancelled, let result, Self.sqlstate(of: result) == "57014", let statementTimeout else { return result }
        PQclear(result)
        throw DatabaseError(kind: .timedOut, code: "57014",
                            message: "the statement did not finish within the statement timeout (\(statementTimeout)) and was cancelled")
    }

    private func check(_ result: OpaquePointer?) throws {
        guard let result else {
            // libpq gives no result when it did not send the request: the connection is gone, or libpq refused
            // the request itself (too many parameters, out of memory). Only the first is a lost connection.
            if isStillConnected { throw clientError() }
            throw lostConnectionError()
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return
        default:
            let sqlstate = Self.sqlstate(of: result)
            let primary = PQresultErrorField(result, clibpq_diag_message_primary()).map { String(cString: $0) }
            let detail = PQresultErrorField(result, clibpq_diag_message_detail()).map { String(cString: $0) }
            let column = PQresultErrorField(result, clibpq_diag_column_name()).map { String(cString: $0) }
            if sqlstate.isEmpty {
                // An error libpq made itself: the connection broke, or it refused the request.
                if isStillConnected { throw clientError(primary) }
                throw lostConnectionError(primary)
            }
            if !isUsable { throw lostConnectionError(primary) }
            let message = primary ?? "unknown error"
            // A standby refuses a read-write transaction at BEGIN with 0A000 ("cannot set transaction read-write
            // mode during recovery") and writes with 25006; PostgreSQL 14+ reports in_hot_standby.
            let onStandby = PQparameterStatus(connection, "in_hot_standby").map { String(cString: $0) == "on" } ?? false
            if !inReadOnlyTransaction && (sqlstate == "25006" || (sqlstate == "0A000" && onStandby)) {
                // A read-write transaction on a read-only server: a standby, or a primary being demoted. This
                // connection is of no use for writes any more; a new one finds the writable host.
                isAbandoned = true
                throw DatabaseError(kind: .readOnlyServer, code: sqlstate,
                                    message: "the server is read-only (a standby, or failing over); nothing was applied: \(message)")
            }
            if sqlstate == "26000" || sqlstate == "42P05" {
                throw DatabaseError(
                    kind: .preparedStatementMismatch, code: sqlstate,
                    message: "\(message): the server connection does not hold this connection's prepared statements, "
                        + "as happens behind a transaction-pooling PgBouncer without prepared-statement support; "
                        + "use PostgresConfiguration(statementMode: .unnamed)")
            }
            // Data exceptions quote the input that failed ("invalid input syntax for type integer: \"…\"").
            let quotesInput = sqlstate.hasPrefix("22")
            throw DatabaseError(kind: PostgresErrorMapping.kind(of: sqlstate), code: sqlstate,
                                message: quotesInput ? DatabaseError.redactingQuotedText(message) : message,
                                detail: detail, columnName: column, messageWithValues: quotesInput ? message : nil)
        }
    }

    /// After an error without SQLSTATE: libpq may not have marked a connection the server closed as bad yet, so
    /// read from it once; a live connection has nothing to say and stays OK, a closed one fails the read.
    private var isStillConnected: Bool {
        guard !isAbandoned, PQstatus(connection) == CONNECTION_OK else { return false }
        return PQconsumeInput(connection) == 1 && PQstatus(connection) == CONNECTION_OK
    }

    private static func sqlstate(of result: OpaquePointer) -> String {
        PQresultErrorField(result, clibpq_diag_sqlstate()).map { String(cString: $0) } ?? ""
    }

    private func lostConnectionError(_ message: String? = nil) -> DatabaseError {
        let text = message ?? String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
        return DatabaseError(kind: .connectionLost, code: "08006", message: text.isEmpty ? "connection lost" : text)
    }

    /// libpq refused a request without sending it; the connection is fine and retrying cannot help.
    private func clientError(_ message: String? = nil) -> DatabaseError {
        let text = message ?? String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
        return DatabaseError(kind: .invalidStatement, code: "LIBPQ",
                             message: "libpq refused the request: \(DatabaseError.redactingQuotedText(text))")
    }

    /// The rows the statement changed. PQcmdTuples also counts the rows a SELECT returned (and FETCH, MOVE): the
    /// command tag tells them apart, so a read reports 0 changed rows, as SQLite's change counter does.
    private static func affectedRows(_ result: OpaquePointer) -> Int {
        // Compared in place: every statement passes here, and a String per tag would be an allocation each.
        if let tag = PQcmdStatus(result), strncmp(tag, "SELECT", 6) == 0 || strncmp(tag, "FETCH", 5) == 0
            || strncmp(tag, "MOVE", 4) == 0 {
            return 0
        }
        guard let text = PQcmdTuples(result) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    /// Drives a connection started with PQconnectStartParams to the end. PQconnectPoll does not apply
    /// `connect_timeout` itself (only libpq's blocking connect does), so the effective setting (ours, or the
    /// connection string's, which overrides it) bounds the whole attempt here.
    private static func finishConnecting(_ connection: OpaquePointer) throws {
        let deadline = effectiveConnectTimeout(connection).map { ContinuousClock.now + $0 }
        var state = PGRES_POLLING_WRITING
        while PQstatus(connection) != CONNECTION_BAD && state != PGRES_POLLING_FAILED {
            if state == PGRES_POLLING_OK { return }
            var wait: Int32 = -1
            if let deadline {
                let remaining = ContinuousClock.now.duration(to: deadline)
                guard remaining > .zero else {
                    throw DatabaseError(kind: .connectionLost, code: "08006",
                                        message: "cannot connect to PostgreSQL: no answer within the connect timeout")
                }
                wait = Int32(clamping: remaining.clampedMilliseconds + 1)
            }
            let ready = Self.waitForSocket(of: connection, events: state == PGRES_POLLING_READING ? POLLIN : POLLOUT,
                                           milliseconds: wait)
            if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            if ready < 0 { break }
            state = PQconnectPoll(connection)
        }
        // libpq's message names host and user, never the password (the string itself was parsed already).
        let message = String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
        throw DatabaseError(kind: .connectionLost, code: "08006", message: "cannot connect to PostgreSQL: \(message)")
    }

    /// `poll` on the connection's socket (which libpq may change while connecting, so it is asked every time):
    /// above zero when ready, zero on time-out, below zero on error; `milliseconds` -1 waits without limit.
    private static func waitForSocket(of connection: OpaquePointer, events: Int32, milliseconds: Int32) -> Int32 {
        var descriptor = pollfd(fd: PQsocket(connection), events: Int16(events), revents: 0)
        return poll(&descriptor, 1, milliseconds)
    }

    /// `connect_timeout` as libpq resolved it: whole seconds, 1 meaning 2, zero or less meaning none.
    private static func effectiveConnectTimeout(_ connection: OpaquePointer) -> Duration? {
        guard let options = PQconninfo(connection) else { return nil }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "connect_timeout" {
                guard let value = option.pointee.val, let seconds = Int64(String(cString: value)), seconds > 0 else {
                    return nil
                }
                return .seconds(max(2, seconds))
            }
            option += 1
        }
        return nil
    }

    /// Refuses, before libpq sees it, a string libpq would misread or quote back: libpq's parse errors repeat the
    /// string, password included, and a URI with another scheme (`jdbc:postgresql://…`) would be taken as a
    /// database name and sent to the default server.
    static func validate(connectionString: String) throws {
        if let schemeEnd = connectionString.range(of: "://") {
            let scheme = connectionString[..<schemeEnd.lowerBound]
            guard scheme == "postgresql" || scheme == "postgres" else {
                let shown = scheme.count <= 20 && scheme.allSatisfy({ $0.isLetter || $0 == ":" || $0 == "+" })
                    ? "'\(scheme)://'" : "its scheme"
                throw UsageError.invalidArgument(
                    "the PostgreSQL connection string starts with \(shown); use postgresql:// or a key=value string")
            }
        }
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(connectionString, &error) else {
            let reason = error.map { String(cString: $0) }?.trimmingCharacters(in: .whitespacesAndNewlines)
            if let error { PQfreemem(error) }
            throw UsageError.invalidArgument("the PostgreSQL connection string does not parse: "
                + DatabaseError.redactingQuotedText(reason ?? "libpq gave no reason"))
        }
        PQconninfoFree(options)
    }

    /// A NULL-terminated array of C strings, as PQconnectdbParams takes.
    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) throws -> R) throws -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { $0.map { UnsafePointer($0) } } + [nil]
        return try pointers.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else {
                throw DatabaseError(kind: .connectionLost, code: "08006", message: "cannot build connection parameters")
            }
            return try body(base)
        }
    }
}

/// Sends PQcancel from any thread: libpq's cancel object is made for that, and the lock keeps a call from
/// racing PQfreeCancel when the connection closes.
final class PostgresInterrupter: ConnectionInterrupter {
    private let cancel: SharedHandle

    init(cancel: OpaquePointer?) {
        self.cancel = SharedHandle(cancel)
    }

    func interrupt() {
        cancel.withHandle { cancel in
            var message = [CChar](repeating: 0, count: 256)
            _ = PQcancel(cancel, &message, Int32(message.count))
        }
    }

    /// Before the connection closes: the cancel object is this one's to free.
    func detach() {
        cancel.detach { PQfreeCancel($0) }
    }
}

/// Where a connection's server notices go: the configured logger at debug level, never stderr.
final class NoticeSink {
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func log(_ result: OpaquePointer) {
        let field = { (code: Int32) in PQresultErrorField(result, code).map { String(cString: $0) } ?? "" }
        // Notices can quote values (a RAISE NOTICE of a function): the quoted parts stay out, as in errors.
        logger.debug("postgres notice", metadata: [
            "db.severity": .string(field(clibpq_diag_severity())),
            "db.sqlstate": .string(field(clibpq_diag_sqlstate())),
            "db.message": .string(DatabaseError.redactingQuotedText(field(clibpq_diag_message_primary()))),
        ])
    }
}

private func noticeReceiver(_ context: UnsafeMutableRawPointer?, _ result: OpaquePointer?) {
    guard let context, let result else { return }
    Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue().log(result)
}
