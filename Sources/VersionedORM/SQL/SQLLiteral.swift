import Foundation

/// Literal spellings for the one place SQL cannot bind a value: a column's DEFAULT in CREATE TABLE. Each
/// dialect's ``SQLDialect/literalSQL(_:)`` builds on these.
public enum SQLLiteral {
    /// `text` in single quotes with each quote doubled; with `escapingBackslashes`, PostgreSQL's `E'…'` form with
    /// each backslash doubled too, which reads the same whatever `standard_conforming_strings` says. Throws
    /// ``SchemaError`` for a NUL character, which neither database keeps in a statement's text.
    public static func quoted(_ text: String, escapingBackslashes: Bool = false) throws -> String {
        guard !text.utf8.contains(0) else { throw SchemaError("a literal cannot contain the NUL character") }
        var body = text.replacingOccurrences(of: "'", with: "''")
        if escapingBackslashes { body = body.replacingOccurrences(of: "\\", with: "\\\\") }
        return (escapingBackslashes ? "E'" : "'") + body + "'"
    }

    /// A finite double in the shortest form that reads back the same (`0.1`, `1e-05`); throws ``SchemaError``
    /// for infinity and NaN, which have no literal.
    public static func number(_ value: Double) throws -> String {
        guard value.isFinite else { throw SchemaError("\(value) has no SQL literal") }
        return "\(value)"
    }

    /// `date` as the quoted timestamp text the drivers bind (`'2026-11-21 17:15:41.123456'`, then `utcSuffix`);
    /// throws ``SchemaError`` for a date outside the storable range.
    public static func timestamp(_ date: Date, utcSuffix: String = "") throws -> String {
        let text: String
        do { text = try TimestampText.format(date, utcSuffix: utcSuffix) } catch {
            throw SchemaError("\(date) is outside the storable dates")
        }
        return try quoted(text)
    }

    /// The bytes in lowercase hexadecimal, two digits each.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
