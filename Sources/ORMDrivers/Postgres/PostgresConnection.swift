import CLibPQ
import Foundation
import VersionedORM

/// One libpq connection with its named prepared statements. Confined to one lane (see ``DatabaseConnection``):
/// libpq connections are not safe to share between threads, and these calls block.
final class PostgresConnection: DatabaseConnection {
    private struct StatementKey: Hashable {
        let sql: String
        let types: [Oid]
    }

    private let connection: OpaquePointer
    private let cacheCapacity: Int
    private var statements: [StatementKey: String] = [:]
    private var statementCounter = 0

    init(configuration: PostgresConfiguration) throws {
        // dbname goes first with expand_dbname set, so a URI or conninfo string there is expanded, and the
        // explicit parameters after it override what it says.
        var keywords = ["dbname"]
        var values = [configuration.connectionString]
        for (keyword, value) in configuration.parameters.sorted(by: { $0.key < $1.key }) {
            keywords.append(keyword)
            values.append(value)
        }
        keywords.append("client_encoding")
        values.append("UTF8")
        let opened = try Self.withCStrings(keywords) { keywords in
            try Self.withCStrings(values) { values in PQconnectdbParams(keywords, values, 1) }
        }
        guard let opened else {
            throw DatabaseError(kind: .connectionLost, code: "08006", message: "libpq could not allocate a connection")
        }
        guard PQstatus(opened) == CONNECTION_OK else {
            // libpq's message names host and user, never the password.
            let message = String(cString: PQerrorMessage(opened)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(opened)
            throw DatabaseError(kind: .connectionLost, code: "08006", message: "cannot connect to PostgreSQL: \(message)")
        }
        connection = opened
        cacheCapacity = max(1, configuration.statementCacheCapacity)
        do {
            // The row decoder reads ISO timestamps and hex bytea; pin them whatever the server's defaults are.
            try simpleCommand("SET DateStyle = 'ISO'; SET TimeZone = 'UTC'; SET bytea_output = 'hex'")
        } catch {
            PQfinish(opened)
            throw error
        }
    }

    deinit {
        PQfinish(connection)
    }

    var isUsable: Bool { PQstatus(connection) == CONNECTION_OK }

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

    private func run(_ statement: RenderedSQL) throws -> OpaquePointer {
        let parameters = try PostgresParameters(statement.binds)
        let key = StatementKey(sql: statement.text, types: parameters.types)
        let name = try preparedName(for: key)
        let result = parameters.withUnsafeArrays { values, lengths, formats in
            PQexecPrepared(connection, name, Int32(statement.binds.count), values, lengths, formats, 0)
        }
        do {
            try check(result)
        } catch let error as DatabaseError {
            // The server no longer has the statement, or its plan no longer fits the table: prepare afresh.
            if error.code == "26000" || error.code == "0A000" { statements.removeValue(forKey: key) }
            throw error
        }
        guard let result else { throw lostConnectionError() }
        return result
    }

    private func preparedName(for key: StatementKey) throws -> String {
        if let name = statements[key] { return name }
        if statements.count >= cacheCapacity {
            // Outside an aborted transaction this frees the server's statements; inside one it fails harmlessly,
            // and new names never collide with old ones.
            PQclear(PQexec(connection, "DEALLOCATE ALL"))
            statements.removeAll(keepingCapacity: true)
        }
        statementCounter += 1
        let name = "vorm_\(statementCounter)"
        let result = key.types.withUnsafeBufferPointer { types in
            PQprepare(connection, name, key.sql, Int32(key.types.count), types.baseAddress)
        }
        defer { PQclear(result) }
        try check(result)
        statements[key] = name
        return name
    }

    private func simpleCommand(_ sql: String) throws {
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        try check(result)
    }

    private func check(_ result: OpaquePointer?) throws {
        guard let result else { throw lostConnectionError() }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return
        default:
            let sqlstate = PQresultErrorField(result, clibpq_diag_sqlstate()).map { String(cString: $0) } ?? ""
            let primary = PQresultErrorField(result, clibpq_diag_message_primary()).map { String(cString: $0) }
            let detail = PQresultErrorField(result, clibpq_diag_message_detail()).map { String(cString: $0) }
            if sqlstate.isEmpty || !isUsable {
                throw lostConnectionError(primary)
            }
            throw DatabaseError(kind: PostgresErrorMapping.kind(of: sqlstate), code: sqlstate,
                                message: primary ?? "unknown error", detail: detail)
        }
    }

    private func lostConnectionError(_ message: String? = nil) -> DatabaseError {
        let text = message ?? String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
        return DatabaseError(kind: .connectionLost, code: "08006", message: text.isEmpty ? "connection lost" : text)
    }

    private static func affectedRows(_ result: OpaquePointer) -> Int {
        guard let text = PQcmdTuples(result) else { return 0 }
        return Int(String(cString: text)) ?? 0
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
