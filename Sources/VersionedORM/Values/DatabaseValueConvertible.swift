import Foundation

/// A Swift type that can be stored in one column.
///
/// The library conforms Bool, Int, Int32, Int64, Double, String, Data, Date, UUID and Optional of each.
/// A `RawRepresentable` type whose raw value is convertible (a `String` or `Int` enum) only needs to declare
/// the conformance; any other type implements the three requirements.
public protocol DatabaseValueConvertible: Sendable {
    /// The column type `createTable` declares for this Swift type.
    static var columnType: ColumnType { get }
    /// The value bound as a parameter.
    var databaseValue: DatabaseValue { get }
    /// Converts a value read from the database; throws ``ValueConversionError`` when it does not fit.
    static func fromDatabaseValue(_ value: DatabaseValue) throws -> Self
    /// Reads the value at `index` of the row. The default goes through ``fromDatabaseValue(_:)``; the standard
    /// numeric and text types read the driver's typed accessors instead.
    static func decode(from row: Row, at index: Int) throws -> Self
}

extension DatabaseValueConvertible {
    /// Reads the row's value at `index` and converts it with `fromDatabaseValue(_:)`.
    @inlinable
    public static func decode(from row: Row, at index: Int) throws -> Self {
        try fromDatabaseValue(row.cursor.value(at: index))
    }
}

/// The typed accessors return nil for NULL, which a non-optional type refuses.
@usableFromInline
func nonNull<T>(_ value: T?, _ type: T.Type) throws -> T {
    guard let value else { throw ValueConversionError(targetType: type, found: .null) }
    return value
}

extension DatabaseValueConvertible where Self: RawRepresentable, RawValue: DatabaseValueConvertible {
    /// The raw value's column type.
    public static var columnType: ColumnType { RawValue.columnType }
    /// The raw value, bound.
    public var databaseValue: DatabaseValue { rawValue.databaseValue }
    /// The case with the raw value read; throws ``ValueConversionError`` when the raw value does not convert or no
    /// case has it.
    public static func fromDatabaseValue(_ value: DatabaseValue) throws -> Self {
        let raw = try RawValue.fromDatabaseValue(value)
        guard let converted = Self(rawValue: raw) else {
            throw ValueConversionError(targetType: Self.self, found: value, reason: "no case has this raw value")
        }
        return converted
    }
}

extension Int64: DatabaseValueConvertible {
    /// A 64-bit integer column.
    @inlinable public static var columnType: ColumnType { ColumnType(.integer64) }
    /// Bound as `.integer`.
    @inlinable public var databaseValue: DatabaseValue { .integer(self) }
    /// Accepts `.integer`, and `.bool` as 1 or 0; throws ``ValueConversionError`` otherwise.
    @inlinable public static func fromDatabaseValue(_ value: DatabaseValue) throws -> Int64 {
        switch value {
        case .integer(let integer): return integer
        case .bool(let bool): return bool ? 1 : 0
        default: throw ValueConversionError(targetType: Int64.self, found: value)
        }
    }
    /// Reads the driver's integer directly; throws ``ValueConversionError`` on NULL.
    @inlinable public static func decode(from row: Row, at index: Int) throws -> Int64 {
        try nonNull(row.cursor.int64(at: index), Int64.self)
    }
}

extension Int: DatabaseValueConvertible {
    /// A 64-bit integer column.
    @inlinable public static var columnType: ColumnType { ColumnType(.integer64) }
    /// Bound as a 64-bit `.integer`.
    @inlinable public var databaseValue: DatabaseValue { .integer(Int64(self)) }
    /// Accepts what `Int64` does; throws ``ValueConversionError`` when the value does not fit in `Int`.
    @inlinable public static func fromDatabaseValue(_ value: DatabaseValue) throws -> Int {
        let integer = try Int64.fromDatabaseValue(value)
        guard let converted = Int(exactly: integer) else {
            throw ValueConversionError(targetType: Int.self, found: value, reason: "out of range")
        }
        return converted
    }
    /// Reads the driver's integer directly; throws ``ValueConversionError`` on NULL or a value that does not fit.
    @inlinable public static func decode(from row: Row, at index: Int) throws -> Int {
        let integer = try nonNull(row.cursor.int64(at: index), Int64.self)
        guard let converted = Int(exactly: integer) else {
            throw ValueConversionError(targetType: Int.self, found: .integer(integer), reason: "out of range")
        }
        return converted
    }
}

extension Int32: DatabaseValueConvertible {
    /// A 32-bit integer column (SQLite: INTEGER).
    @inlinable public static var columnType: ColumnType { ColumnType(.integer32) }
    /// Bound as a 64-bit `.integer`.
    @inlinable public var databaseValue: DatabaseValue { .integer(Int64(self)) }
    /// Accepts what `Int64` does; throws ``ValueConversionError`` when the value is out of `Int32`'s range.
    @inlinable public static func fromDatabaseValue(_ value: DatabaseValue) throws -> Int32 {
        let integer = try Int64.fromDatabaseValue(value)
        guard let converted = Int32(exactly: integer) else {
            throw ValueConversionError(targetType: Int32.self, found: value, reason: "out of range")
        }
        return converted
    }
}

extension Double: DatabaseValueConvertible {
    /// A double-precision floating-point column.
    @inlinable public static var columnType: ColumnType { ColumnType(.double) }
    /// Bound as `.double`.
    @inlinable public var databaseValue: DatabaseValue { .double(self) }
    /// Accepts `.double`, and `.integer` converted (SQLite may return a whole REAL as an integer); throws
    /// ``ValueConversionError`` otherwise.
    @inlinable public static func fromDatabaseValue(_ value: DatabaseValue) throws -> Double {
        switch value {
        case .double(let double): return double
        // SQLite hands back a REAL that holds a whole number as an integer when the column has INTEGER affinity.
        case .integer(let integer): return Double(integer)
        default: throw ValueConversionError(targetType: Double.self, found: value)
        }
    }
    /// Reads the driver's double directly; throws ``ValueConversionError`` on NULL.
    @inlinable public static func decode(from row: Row, at index: Int) throws -> Double {
        try nonNull(row.cursor.double(at: index), Double.self)
    }
}

extension Bool: DatabaseValueConvertible {
    /// A boolean column (SQLite: INTEGER).
    @inlinable public static var columnType: ColumnType { ColumnType(.boolean) }
    /// Bound as `.bool`.
    @inlinable public var databaseValue: DatabaseValue { .bool(self) }
    /// Accepts `.bool`, and `.integer` as true when nonzero; throws ``ValueConversionError`` otherwise.
    @inlinable public static func fromDatabaseValue(_ value: DatabaseValue) throws -> Bool {
        switch value {
        case .bool(let bool): return bool
        case .integer(let integer): return integer != 0
        default: throw ValueConversionError(targetType: Bool.self, found: value)
        }
    }
}

extension String: DatabaseValueConvertible {
    /// A text column.
    @inlinable public static var columnType: ColumnType { ColumnType(.text) }
    /// Bound as `.text`.
    @inlinable public var databaseValue: DatabaseValue { .text(self) }
    /// Accepts `.text` only; throws ``ValueConversionError`` otherwise.
    @inlinable public static func fromDatabaseValue(_ value: DatabaseValue) throws -> String {
        guard case .text(let text) = value else {
            throw ValueConversionError(targetType: String.self, found: value)
        }
        return text
    }
    /// Reads the driver's text directly; throws ``ValueConversionError`` on NULL.
    @inlinable public static func decode(from row: Row, at index: Int) throws -> String {
        try nonNull(row.cursor.text(at: index), String.self)
    }
}

extension Data: DatabaseValueConvertible {
    /// A binary column (SQLite BLOB, PostgreSQL BYTEA).
    @inlinable public static var columnType: ColumnType { ColumnType(.blob) }
    /// Bound as `.blob`.
    @inlinable public var databaseValue: DatabaseValue { .blob(self) }
    /// Accepts `.blob` only; throws ``ValueConversionError`` otherwise.
    @inlinable public static func fromDatabaseValue(_ value: DatabaseValue) throws -> Data {
        guard case .blob(let data) = value else {
            throw ValueConversionError(targetType: Data.self, found: value)
        }
        return data
    }
}

extension Date: DatabaseValueConvertible {
    /// A timestamp column (SQLite: ISO-8601 text; PostgreSQL: TIMESTAMPTZ).
    public static var columnType: ColumnType { ColumnType(.timestamp) }
    /// Bound as `.date`.
    public var databaseValue: DatabaseValue { .date(self) }
    /// Accepts `.date`, and `.text` holding an ISO-8601 timestamp; throws ``ValueConversionError`` otherwise.
    public static func fromDatabaseValue(_ value: DatabaseValue) throws -> Date {
        switch value {
        case .date(let date):
            return date
        case .text(let text):
            guard let date = TimestampText.parse(text) else {
                throw ValueConversionError(targetType: Date.self, found: value, reason: "not an ISO-8601 timestamp")
            }
            return date
        default:
            throw ValueConversionError(targetType: Date.self, found: value)
        }
    }
}

extension UUID: DatabaseValueConvertible {
    /// A UUID column (SQLite: text; PostgreSQL: UUID).
    public static var columnType: ColumnType { ColumnType(.uuid) }
    /// Bound as `.uuid`.
    public var databaseValue: DatabaseValue { .uuid(self) }
    /// Accepts `.uuid`, UUID `.text` and a 16-byte `.blob`; throws ``ValueConversionError`` otherwise.
    public static func fromDatabaseValue(_ value: DatabaseValue) throws -> UUID {
        switch value {
        case .uuid(let uuid):
            return uuid
        case .text(let text):
            guard let uuid = UUID(uuidString: text) else {
                throw ValueConversionError(targetType: UUID.self, found: value, reason: "malformed UUID text")
            }
            return uuid
        case .blob(let data) where data.count == 16:
            let bytes = Array(data)
            return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                               bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
        default:
            throw ValueConversionError(targetType: UUID.self, found: value)
        }
    }
}

extension Optional: DatabaseValueConvertible where Wrapped: DatabaseValueConvertible {
    /// The wrapped type's column type, nullable.
    @inlinable public static var columnType: ColumnType {
        var type = Wrapped.columnType
        type.isNullable = true
        return type
    }

    /// `.null` for nil, else the wrapped value's.
    @inlinable public var databaseValue: DatabaseValue {
        switch self {
        case .none: .null
        case .some(let wrapped): wrapped.databaseValue
        }
    }

    /// nil for `.null`, else the wrapped type's conversion.
    @inlinable public static func fromDatabaseValue(_ value: DatabaseValue) throws -> Wrapped? {
        if case .null = value { return nil }
        return try Wrapped.fromDatabaseValue(value)
    }

    /// nil for NULL, else the wrapped type's `decode`.
    @inlinable public static func decode(from row: Row, at index: Int) throws -> Wrapped? {
        if try row.cursor.isNull(at: index) { return nil }
        return try Wrapped.decode(from: row, at: index)
    }
}
