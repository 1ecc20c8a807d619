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
    public static var columnType: ColumnType { RawValue.columnType }
    public var databaseValue: DatabaseValue { rawValue.databaseValue }
    public static func fromDatabaseValue(_ value: DatabaseValue) throws -> Self {
        let raw = try RawValue.fromDatabaseValue(value)
        guard let converted = Self(rawValue: raw) else {
            throw ValueConversionError(targetType: Self.self, found: value, reason: "no case has this raw value")
        }
        return converted
    }
}

extension Int64: DatabaseValueConvertible {
    @inlinable public static var columnType: ColumnType { ColumnType(.integer64) }
    @inlinable public var databaseValue: DatabaseValue { .integer(self) }
    @inlinable public static func fromDatabaseValue(_ value: DatabaseValue) throws -> Int64 {
        switch value {
        case .integer(let integer): return integer
        case .bool(let bool): return bool ? 1 : 0
        default: throw ValueConversionError(targetType: Int64.self, found: value)
        }
    }
    @inlinable public static func decode(from row: Row, at index: Int) throws -> Int64 {
        try nonNull(row.cursor.int64(at: index), Int64.self)
    }
}

extension Int: DatabaseValueConvertible {
    @inlinable public static var columnType: ColumnType { ColumnType(.integer64) }
    @inlinable public var databaseValue: DatabaseValue { .integer(Int64(self)) }
    @inlinable public static func fromDatabaseValue(_ value: DatabaseValue) throws -> Int {
        let integer = try Int64.fromDatabaseValue(value)
        guard let converted = Int(exactly: integer) else {
            throw ValueConversionError(targetType: Int.self, found: value, reason: "out of range")
        }
        return converted
    }
    @inlinable public static func decode(from row: Row, at index: Int) throws -> Int {
        let integer = try nonNull(row.cursor.int64(at: index), Int64.self)
        guard let converted = Int(exactly: integer) else {
            throw ValueConversionError(targetType: Int.self, found: .integer(integer), reason: "out of range")
        }
        return converted
    }
}

extension Int32: DatabaseValueConvertible {
    @inlinable public static var columnType: ColumnType { ColumnType(.integer32) }
    @inlinable public var databaseValue: DatabaseValue { .integer(Int64(self)) }
    @inlinable public static func fromDatabaseValue(_ value: DatabaseValue) throws -> Int32 {
        let integer = try Int64.fromDatabaseValue(value)
        guard let converted = Int32(exactly: integer) else {
            throw ValueConversionError(targetType: Int32.self, found: value, reason: "out of range")
        }
        return converted
    }
}

extension Double: DatabaseValueConvertible {
    @inlinable public static var columnType: ColumnType { ColumnType(.double) }
    @inlinable public var databaseValue: DatabaseValue { .double(self) }
    @inlinable public static func fromDatabaseValue(_ value: DatabaseValue) throws -> Double {
        switch value {
        case .double(let double): return double
        // SQLite hands back a REAL that holds a whole number as an integer when the column has INTEGER affinity.
        case .integer(let integer): return Double(integer)
        default: throw ValueConversionError(targetType: Double.self, found: value)
        }
    }
    @inlinable public static func decode(from row: Row, at index: Int) throws -> Double {
        try nonNull(row.cursor.double(at: index), Double.self)
    }
}

extension Bool: DatabaseValueConvertible {
    @inlinable public static var columnType: ColumnType { ColumnType(.boolean) }
    @inlinable public var databaseValue: DatabaseValue { .bool(self) }
    @inlinable public static func fromDatabaseValue(_ value: DatabaseValue) throws -> Bool {
        switch value {
        case .bool(let bool): return bool
        case .integer(let integer): return integer != 0
        default: throw ValueConversionError(targetType: Bool.self, found: value)
        }
    }
}

extension String: DatabaseValueConvertible {
    @inlinable public static var columnType: ColumnType { ColumnType(.text) }
    @inlinable public var databaseValue: DatabaseValue { .text(self) }
    @inlinable public static func fromDatabaseValue(_ value: DatabaseValue) throws -> String {
        guard case .text(let text) = value else {
            throw ValueConversionError(targetType: String.self, found: value)
        }
        return text
    }
    @inlinable public static func decode(from row: Row, at index: Int) throws -> String {
        try nonNull(row.cursor.text(at: index), String.self)
    }
}

extension Data: DatabaseValueConvertible {
    @inlinable public static var columnType: ColumnType { ColumnType(.blob) }
    @inlinable public var databaseValue: DatabaseValue { .blob(self) }
    @inlinable public static func fromDatabaseValue(_ value: DatabaseValue) throws -> Data {
        guard case .blob(let data) = value else {
            throw ValueConversionError(targetType: Data.self, found: value)
        }
        return data
    }
}

extension Date: DatabaseValueConvertible {
    public static var columnType: ColumnType { ColumnType(.timestamp) }
    public var databaseValue: DatabaseValue { .date(self) }
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
    public static var columnType: ColumnType { ColumnType(.uuid) }
    public var databaseValue: DatabaseValue { .uuid(self) }
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
    @inlinable public static var columnType: ColumnType {
        var type = Wrapped.columnType
        type.isNullable = true
        return type
    }

    @inlinable public var databaseValue: DatabaseValue {
        switch self {
        case .none: .null
        case .some(let wrapped): wrapped.databaseValue
        }
    }

    @inlinable public static func fromDatabaseValue(_ value: DatabaseValue) throws -> Wrapped? {
        if case .null = value { return nil }
        return try Wrapped.fromDatabaseValue(value)
    }

    @inlinable public static func decode(from row: Row, at index: Int) throws -> Wrapped? {
        if try row.cursor.isNull(at: index) { return nil }
        return try Wrapped.decode(from: row, at: index)
    }
}
