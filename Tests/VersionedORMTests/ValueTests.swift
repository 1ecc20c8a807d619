import Foundation
import Testing
@testable import VersionedORM

@Suite struct ValueTests {
    @Test(arguments: [
        ("1970-01-01 00:00:00.000000", 0),
        ("2026-11-21 17:15:41.123456", 1_795_281_341_123_456),
        ("1969-12-31 23:59:59.999999", -1),
        ("1900-02-28 12:00:00.500000", -2_203_934_399_500_000),
        ("2000-02-29 00:00:00.000001", 951_782_400_000_001),
    ] as [(String, Int64)])
    func timestampsFormatAndParseAtMicrosecondPrecision(text: String, micros: Int64) throws {
        let date = TimestampText.date(microsecondsSince1970: micros)
        #expect(try TimestampText.format(date) == text)
        #expect(try TimestampText.format(date, utcSuffix: "+00") == text + "+00")
        let parsed = try #require(TimestampText.parse(text))
        #expect(TimestampText.microseconds(since1970: parsed) == micros)
    }

    @Test func timestampParsingAcceptsOffsetsShortFractionsAndTheTSeparator() throws {
        let base = try #require(TimestampText.parse("2026-11-21 17:15:41.5"))
        #expect(TimestampText.microseconds(since1970: base) == 1_795_281_341_500_000)
        #expect(TimestampText.parse("2026-11-21T19:15:41.5+02") == base)
        #expect(TimestampText.parse("2026-11-21T16:45:41.5-00:30") == base)
        #expect(TimestampText.parse("2026-11-21 17:15:41.5Z") == base)
        #expect(TimestampText.microseconds(since1970: try #require(TimestampText.parse("2026-11-21 17:15:41.1234567"))) == 1_795_281_341_123_457)
        #expect(TimestampText.parse("2026-11-21") == TimestampText.parse("2026-11-21 00:00:00"))
        for malformed in ["", "2026-13-01", "2026-11-21 25:00", "2026-11-21 17:15:41.", "yesterday", "2026-11-21 17:15:41 garbage"] {
            #expect(TimestampText.parse(malformed) == nil, "\(malformed)")
        }
    }

    @Test func conversionsRefuseValuesThatDoNotFit() throws {
        #expect(throws: ValueConversionError.self) { try Int32.fromDatabaseValue(.integer(Int64(Int32.max) + 1)) }
        #expect(throws: ValueConversionError.self) { try String.fromDatabaseValue(.integer(1)) }
        #expect(throws: ValueConversionError.self) { try Int64.fromDatabaseValue(.null) }
        #expect(throws: ValueConversionError.self) { try UUID.fromDatabaseValue(.text("not-a-uuid")) }
        #expect(try Bool.fromDatabaseValue(.integer(1)) == true)
        #expect(try Double.fromDatabaseValue(.integer(3)) == 3)
        #expect(try Int64?.fromDatabaseValue(.null) == nil)
        let uuid = UUID()
        #expect(try UUID.fromDatabaseValue(.text(uuid.uuidString.lowercased())) == uuid)
    }

    @Test func rawRepresentableTypesConvertThroughTheirRawValue() throws {
        enum Color: String, DatabaseValueConvertible { case red, green }
        #expect(Color.red.databaseValue == .text("red"))
        #expect(try Color.fromDatabaseValue(.text("green")) == .green)
        #expect(Color.columnType == ColumnType(.text))
        #expect(Color?.columnType == ColumnType(.text, isNullable: true))
        #expect(throws: ValueConversionError.self) { try Color.fromDatabaseValue(.text("blue")) }
    }

    @Test func conversionErrorsNeverPrintTheValue() {
        let error = ValueConversionError(targetType: Int.self, found: .text("card 4111-1111"))
        #expect(!error.description.contains("4111"))
    }

    @Test func databaseErrorsHideValuesUnlessAsked() {
        let statement = RenderedSQL(text: "UPDATE t SET secret = ?", binds: [.text("hunter2")])
        let error = DatabaseError(kind: .uniqueViolation, code: "23505", message: "duplicate key", detail: "Key (secret)=(hunter2)")
        #expect(!error.with(statement: statement, revealValues: false).description.contains("hunter2"))
        #expect(error.with(statement: statement, revealValues: true).description.contains("hunter2"))
    }
}
