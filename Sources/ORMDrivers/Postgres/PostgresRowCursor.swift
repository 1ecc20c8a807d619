import CLibPQ
import Foundation
import VersionedORM

/// A row of a text-format PGresult, converted by column type OID.
final class PostgresRowCursor: RowCursor {
    private var result: OpaquePointer
    private let types: [Oid]
    let columnCount: Int
    var row: Int32 = 0

    init(result: OpaquePointer) {
        self.result = result
        columnCount = Int(PQnfields(result))
        types = (0..<Int32(columnCount)).map { PQftype(result, $0) }
    }

    /// This cursor on the next result of the same statement (single-row mode), whose columns are the same: the
    /// column types are not looked up again.
    func reading(_ next: OpaquePointer) -> PostgresRowCursor {
        result = next
        row = 0
        return self
    }

    func value(at index: Int) throws -> DatabaseValue {
        let column = Int32(index)
        guard PQgetisnull(result, row, column) == 0, let raw = PQgetvalue(result, row, column) else { return .null }
        let length = Int(PQgetlength(result, row, column))
        switch types[index] {
        case PostgresTypes.bool:
            return .bool(raw.pointee == CChar(UInt8(ascii: "t")))
        case PostgresTypes.int8, PostgresTypes.int2, PostgresTypes.int4, PostgresTypes.oid:
            return .integer(strtoll(raw, nil, 10))
        case PostgresTypes.float4, PostgresTypes.float8:  // strtod reads NaN and Infinity too
            return .double(strtod(raw, nil))
        case PostgresTypes.numeric:  // whole numbers that fit stay exact, others become Double
            let text = String(cString: raw)
            if let integer = Int64(text) { return .integer(integer) }
            return .double(strtod(raw, nil))
        case PostgresTypes.bytea:  // in whichever output form the session has (a pooler does not restore bytea_output)
            return .blob(try Self.decodeBytea(raw, length: length))
        case PostgresTypes.timestamptz, PostgresTypes.timestamp:
            let text = String(cString: raw)
            guard let date = TimestampText.parse(text) else {
                throw ValueConversionError(targetType: Date.self, found: .text(""),
                                           reason: "PostgreSQL timestamp outside what Date holds (infinity or BC)")
            }
            return .date(date)
        case PostgresTypes.uuid:
            guard let uuid = UUID(uuidString: String(cString: raw)) else {
                throw ValueConversionError(targetType: UUID.self, found: .text(""), reason: "malformed uuid output")
            }
            return .uuid(uuid)
        default:
            return .text(String(decoding: UnsafeRawBufferPointer(start: raw, count: length), as: UTF8.self))
        }
    }

    func isNull(at index: Int) throws -> Bool {
        PQgetisnull(result, row, Int32(index)) != 0
    }

    func int64(at index: Int) throws -> Int64? {
        let column = Int32(index)
        switch types[index] {
        case PostgresTypes.int8, PostgresTypes.int2, PostgresTypes.int4, PostgresTypes.oid:
            guard PQgetisnull(result, row, column) == 0, let raw = PQgetvalue(result, row, column) else { return nil }
            return strtoll(raw, nil, 10)
        default:
            let value = try value(at: index)
            return value.isNull ? nil : try Int64.fromDatabaseValue(value)
        }
    }

    func text(at index: Int) throws -> String? {
        let column = Int32(index)
        switch types[index] {
        case PostgresTypes.bool, PostgresTypes.bytea, PostgresTypes.int8, PostgresTypes.int2, PostgresTypes.int4,
             PostgresTypes.oid, PostgresTypes.float4, PostgresTypes.float8, PostgresTypes.timestamp,
             PostgresTypes.timestamptz, PostgresTypes.numeric, PostgresTypes.uuid:
            // Types value(at:) converts to something other than text: let String's own rule refuse them.
            let value = try value(at: index)
            return value.isNull ? nil : try String.fromDatabaseValue(value)
        default:
            guard PQgetisnull(result, row, column) == 0, let raw = PQgetvalue(result, row, column) else { return nil }
            let length = Int(PQgetlength(result, row, column))
            return String(decoding: UnsafeRawBufferPointer(start: raw, count: length), as: UTF8.self)
        }
    }

    /// Decodes bytea text output: `\x0a1b…` (hex, the default) or the escape form, where `\\` is a backslash,
    /// `\nnn` an octal byte and any other byte itself. Both, because a transaction pooler hands this connection
    /// whatever `bytea_output` another client left on the server connection.
    private static func decodeBytea(_ raw: UnsafePointer<CChar>, length: Int) throws -> Data {
        let bytes = UnsafeRawBufferPointer(start: raw, count: length)
        let backslash = UInt8(ascii: "\\")
        if length >= 2, bytes[0] == backslash, bytes[1] == UInt8(ascii: "x") {
            return try decodeHex(bytes)
        }
        var data = Data(capacity: length)
        var index = 0
        while index < length {
            let byte = bytes[index]
            guard byte == backslash else {
                data.append(byte)
                index += 1
                continue
            }
            if index + 1 < length, bytes[index + 1] == backslash {
                data.append(backslash)
                index += 2
                continue
            }
            guard index + 3 < length,
                  let octal = octalByte(bytes[index + 1], bytes[index + 2], bytes[index + 3])
            else {
                throw ValueConversionError(targetType: Data.self, found: .text(""), reason: "malformed bytea escape output")
            }
            data.append(octal)
            index += 4
        }
        return data
    }

    private static func octalByte(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8? {
        let digits = [a, b, c].map { Int($0) - Int(UInt8(ascii: "0")) }
        guard digits.allSatisfy({ (0...7).contains($0) }), digits[0] <= 3 else { return nil }
        return UInt8(digits[0] * 64 + digits[1] * 8 + digits[2])
    }

    private static func decodeHex(_ bytes: UnsafeRawBufferPointer) throws -> Data {
        let length = bytes.count
        guard length % 2 == 0 else {
            throw ValueConversionError(targetType: Data.self, found: .text(""), reason: "bytea hex output has an odd length")
        }
        func nibble(_ byte: UInt8) throws -> UInt8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            default: throw ValueConversionError(targetType: Data.self, found: .text(""), reason: "bad hex digit")
            }
        }
        var data = Data(capacity: (length - 2) / 2)
        var index = 2
        while index < length {
            data.append(try nibble(bytes[index]) << 4 | nibble(bytes[index + 1]))
            index += 2
        }
        return data
    }
}
