import Foundation

/// Converts dates to and from the ISO-8601 text both databases understand (`2026-11-21 17:15:41.123456`).
///
/// Dates are stored with microsecond precision, PostgreSQL's own: a `Date` is rounded to the nearest
/// microsecond when written. The conversion is integer arithmetic on the proleptic Gregorian calendar, in UTC,
/// so it neither allocates a formatter nor depends on the process time zone.
///
/// The storable range is 0001-01-01 00:00:00 through 9999-12-31 23:59:59.999999 UTC: four-digit years, so that
/// SQLite's text sorts and compares in time order and every value written reads back. A `Date` outside it (or
/// not finite) is refused with a `DatabaseError` of kind `.invalidValue` before anything is sent. Note that a
/// `Date` is a `Double`: near year 9999 it only resolves about 30 µs, so `9999-12-31T23:59:59.999999Z` parses
/// to 10000-01-01 and is refused; use `9999-12-31T23:59:59Z` as an "end of time".
package enum TimestampText {
    private static let microsPerSecond: Int64 = 1_000_000
    private static let microsPerDay: Int64 = 86_400 * 1_000_000
    /// Seconds from 1970-01-01 to 2001-01-01, Foundation's reference date.
    private static let referenceOffset: Int64 = 978_307_200
    /// 0001-01-01 and 10000-01-01, in microseconds since 1970.
    private static let lowestMicros = days(fromCivil: 1, 1, 1) * 86_400 * 1_000_000
    private static let endMicros = days(fromCivil: 10_000, 1, 1) * 86_400 * 1_000_000

    /// Whole microseconds since 1970-01-01 00:00:00 UTC, rounded to nearest; nil when the date is outside the
    /// storable range or not finite.
    package static func microseconds(since1970 date: Date) -> Int64? {
        let sinceReference = date.timeIntervalSinceReferenceDate
        let lowestSeconds = Double(lowestMicros / microsPerSecond - referenceOffset)
        let endSeconds = Double(endMicros / microsPerSecond - referenceOffset)
        guard sinceReference.isFinite, sinceReference >= lowestSeconds - 1, sinceReference <= endSeconds + 1 else {
            return nil
        }
        // Whole seconds and the fraction apart: both are exact in a Double, so no rounding happens before the one
        // to microseconds, and a date read back converts to the same microseconds.
        let wholeSeconds = sinceReference.rounded(.down)
        let fraction = Int64(((sinceReference - wholeSeconds) * 1_000_000).rounded())
        let micros = (Int64(wholeSeconds) + referenceOffset) * microsPerSecond + fraction
        guard micros >= lowestMicros, micros < endMicros else { return nil }
        return micros
    }

    /// The microseconds of a date that can be stored, or the error that refuses it.
    package static func storableMicroseconds(_ date: Date) throws -> Int64 {
        guard let micros = microseconds(since1970: date) else {
            throw DatabaseError(
                kind: .invalidValue, code: "22008",
                message: "a date outside 0001-01-01 … 9999-12-31 UTC (or not finite) cannot be stored")
        }
        return micros
    }

    package static func date(microsecondsSince1970 micros: Int64) -> Date {
        let seconds = micros.quotientRoundingDown(by: microsPerSecond)
        let fraction = micros - seconds * microsPerSecond
        return Date(timeIntervalSinceReferenceDate: Double(seconds - referenceOffset) + Double(fraction) / 1_000_000)
    }

    /// `YYYY-MM-DD HH:MM:SS.ffffff`, UTC, with `utcSuffix` appended (`""` for SQLite, `"+00"` for PostgreSQL).
    /// Throws for a date outside the storable range.
    package static func format(_ date: Date, utcSuffix: String = "") throws -> String {
        let micros = try storableMicroseconds(date)
        let days = micros.quotientRoundingDown(by: microsPerDay)
        var rest = micros - days * microsPerDay
        let (year, month, day) = civil(fromDays: days)
        let hour = rest / 3_600_000_000; rest %= 3_600_000_000
        let minute = rest / 60_000_000; rest %= 60_000_000
        let second = rest / 1_000_000
        let fraction = rest % 1_000_000
        var text = ""
        text.reserveCapacity(26 + utcSuffix.utf8.count)
        append(year, width: 4, to: &text); text += "-"
        append(month, width: 2, to: &text); text += "-"
        append(day, width: 2, to: &text); text += " "
        append(hour, width: 2, to: &text); text += ":"
        append(minute, width: 2, to: &text); text += ":"
        append(second, width: 2, to: &text); text += "."
        append(fraction, width: 6, to: &text)
        text += utcSuffix
        return text
    }

    /// Parses `YYYY-MM-DD[ T]HH:MM[:SS[.fraction]][Z|±HH[:MM]]`; text without an offset is UTC.
    package static func parse(_ text: String) -> Date? {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.number(digits: 4), year >= 1, scanner.skip("-"),
              let month = scanner.number(digits: 2), scanner.skip("-"),
              let day = scanner.number(digits: 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var micros = days(fromCivil: year, month, day) * microsPerDay
        if scanner.skip(" ") || scanner.skip("T") {
            guard let hour = scanner.number(digits: 2), scanner.skip(":"),
                  let minute = scanner.number(digits: 2), hour < 24, minute < 60
            else { return nil }
            var second: Int64 = 0
            var fraction: Int64 = 0
            if scanner.skip(":") {
                guard let parsed = scanner.number(digits: 2), parsed < 61 else { return nil }
                second = parsed
                if scanner.skip(".") {
                    guard let parsedFraction = scanner.fractionMicroseconds() else { return nil }
                    fraction = parsedFraction
                }
            }
            micros += ((hour * 60 + minute) * 60 + second) * microsPerSecond + fraction
            if scanner.skip("Z") {
            } else if let sign = scanner.sign() {
                guard let offsetHours = scanner.number(digits: 2) else { return nil }
                var offsetMinutes: Int64 = 0
                if scanner.skip(":") || scanner.peekDigit {
                    guard let parsed = scanner.number(digits: 2) else { return nil }
                    offsetMinutes = parsed
                }
                micros -= sign * (offsetHours * 60 + offsetMinutes) * 60 * microsPerSecond
            }
        }
        guard scanner.isAtEnd else { return nil }
        return date(microsecondsSince1970: micros)
    }

    private static func append(_ value: Int64, width: Int, to text: inout String) {
        let digits = String(value)
        if digits.utf8.count < width { text += String(repeating: "0", count: width - digits.utf8.count) }
        text += digits
    }

    // Howard Hinnant's days_from_civil / civil_from_days: exact for every proleptic Gregorian date.
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = y.quotientRoundingDown(by: 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = z.quotientRoundingDown(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

private struct DigitScanner {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { position == bytes.count }
    var peekDigit: Bool { position < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
        position += 1
        return true
    }

    mutating func sign() -> Int64? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }

    mutating func number(digits: Int) -> Int64? {
        guard position + digits <= bytes.count else { return nil }
        var value: Int64 = 0
        for _ in 0..<digits {
            guard peekDigit else { return nil }
            value = value * 10 + Int64(bytes[position] - UInt8(ascii: "0"))
            position += 1
        }
        return value
    }

    /// Reads one or more fraction digits as microseconds, rounding past the sixth digit.
    mutating func fractionMicroseconds() -> Int64? {
        var micros: Int64 = 0
        var count = 0
        var roundUp = false
        while peekDigit {
            let digit = Int64(bytes[position] - UInt8(ascii: "0"))
            if count < 6 {
                micros = micros * 10 + digit
            } else if count == 6 {
                roundUp = digit >= 5
            }
            count += 1
            position += 1
        }
        guard count > 0 else { return nil }
        for _ in count..<max(count, 6) { micros *= 10 }
        return micros + (roundUp ? 1 : 0)
    }
}

extension Int64 {
    /// Division that rounds toward negative infinity, so dates before 1970 split into day and time correctly.
    func quotientRoundingDown(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
