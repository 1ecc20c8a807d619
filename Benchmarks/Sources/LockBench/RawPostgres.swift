import BenchSupport
import Foundation
import RawLibPQ

/// The baseline: the same statements through libpq, as named prepared statements with text parameters and text
/// results, with no library in between.
final class RawPostgresConnection {
    private let connection: OpaquePointer

    init(url: String, schema: String) throws {
        let conninfo = url
        guard let opened = PQconnectdb(conninfo), PQstatus(opened) == CONNECTION_OK else {
            throw BenchError("raw postgres: cannot connect")
        }
        connection = opened
        try exec("SET search_path = \(schema)")
    }

    deinit { PQfinish(connection) }

    func exec(_ sql: String) throws {
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else { throw error(result) }
    }

    func prepare(_ name: String, _ sql: String) throws {
        let result = PQprepare(connection, name, sql, 0, nil)
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw error() }
    }

    func error() -> BenchError { BenchError("raw postgres: \(String(cString: PQerrorMessage(connection)))") }

    /// The failed result's error, with its SQLSTATE when the server sent one (a serialization failure or a
    /// deadlock is retried by the contention baseline).
    private func error(_ result: OpaquePointer?) -> any Error {
        guard let result, let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))) else { return error() }
        return RawPostgresError(sqlState: String(cString: state), message: String(cString: PQerrorMessage(connection)))
    }

    /// Runs a prepared statement with text parameters; the caller clears the result.
    func run(_ name: String, _ parameters: [String?]) throws -> OpaquePointer {
        var copies = parameters.map { $0.flatMap { strdup($0) } }
        defer { copies.forEach { free($0) } }
        let result = copies.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { values in
                PQexecPrepared(connection, name, Int32(parameters.count), values.baseAddress, nil, nil, 0)
            }
        }
        guard let result else { throw error() }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let failure = error(result)
            PQclear(result)
            throw failure
        }
        return result
    }

    static func readAccount(_ result: OpaquePointer, row: Int32) -> RawAccount {
        func text(_ column: Int32) -> String? {
            guard PQgetisnull(result, row, column) == 0, let value = PQgetvalue(result, row, column) else { return nil }
            return String(decoding: UnsafeRawBufferPointer(start: value, count: Int(PQgetlength(result, row, column))), as: UTF8.self)
        }
        func integer(_ column: Int32) -> Int64 {
            guard let value = PQgetvalue(result, row, column) else { return 0 }
            return strtoll(value, nil, 10)
        }
        return RawAccount(id: integer(0), owner: text(1) ?? "", balance: integer(2), note: text(3), version: integer(4))
    }

    /// W1: fetch by key, add 1, versioned save of every column; autocommit.
    func optimisticSaves(ids: [Int64], select: String, update: String, seed: UInt64, count: Int) throws {
        try prepare("raw_find", select)
        try prepare("raw_save", update)
        defer { try? exec("DEALLOCATE ALL") }
        var random = SplitMix(seed: seed)
        for _ in 0..<count {
            let id = ids[Int(random.next() % UInt64(ids.count))]
            let found = try run("raw_find", [String(id), "1"])
            guard PQntuples(found) == 1 else { PQclear(found); throw BenchError("raw postgres: row \(id) missing") }
            var account = Self.readAccount(found, row: 0)
            PQclear(found)
            account.balance += 1
            let saved = try run("raw_save", [account.owner, String(account.balance), account.note, String(account.id),
                                             String(account.version)])
            let changed = PQcmdTuples(saved).map { String(cString: $0) }
            PQclear(saved)
            guard changed == "1" else { throw BenchError("raw postgres: stale save") }
        }
    }

    /// W2: every row of the table, decoded.
    func fetchAll(select: String) throws -> [RawAccount] {
        try prepare("raw_all", select)
        defer { try? exec("DEALLOCATE ALL") }
        let result = try run("raw_all", [])
        defer { PQclear(result) }
        let rows = PQntuples(result)
        var accounts: [RawAccount] = []
        accounts.reserveCapacity(Int(rows))
        for row in 0..<rows { accounts.append(Self.readAccount(result, row: row)) }
        return accounts
    }

    /// W3: `count` inserts in one transaction, reading each generated key back.
    func insertMany(insert: String, count: Int) throws {
        try prepare("raw_insert", insert)
        defer { try? exec("DEALLOCATE ALL") }
        try exec("BEGIN")
        for number in 0..<count {
            let result = try run("raw_insert", ["owner-\(number)", String(number), number.isMultiple(of: 3) ? nil : "note \(number)"])
            _ = PQgetvalue(result, 0, 0).map { strtoll($0, nil, 10) }
            PQclear(result)
        }
        try exec("COMMIT")
    }

    /// The batch statement prepared once, each execution sending `rowsPerStatement` rows' text parameters.
    func insertBatches(insert: String, rowsPerStatement: Int, count: Int) throws {
        try prepare("raw_batch_insert", insert)
        defer { try? exec("DEALLOCATE ALL") }
        try exec("BEGIN")
        for start in stride(from: 0, to: count, by: rowsPerStatement) {
            var parameters: [String?] = []
            parameters.reserveCapacity(rowsPerStatement * 3)
            for number in start..<(start + rowsPerStatement) {
                parameters.append("owner-\(number)")
                parameters.append(String(number))
                parameters.append(number.isMultiple(of: 3) ? nil : "note \(number)")
            }
            let result = try run("raw_batch_insert", parameters)
            for row in 0..<PQntuples(result) { _ = PQgetvalue(result, row, 0).map { strtoll($0, nil, 10) } }
            guard PQntuples(result) == Int32(rowsPerStatement) else { PQclear(result); throw error() }
            PQclear(result)
        }
        try exec("COMMIT")
    }
}

/// A statement the server refused, with its SQLSTATE.
struct RawPostgresError: Error, CustomStringConvertible {
    let sqlState: String
    let message: String

    /// 40001 (serialization failure) and 40P01 (deadlock): the transaction may succeed when run again.
    var isTransient: Bool { sqlState == "40001" || sqlState == "40P01" }
    var description: String { "raw postgres: \(sqlState) \(message)" }
}
