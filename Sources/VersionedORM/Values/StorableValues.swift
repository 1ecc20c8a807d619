/// The values both databases store alike, checked before a statement is sent.
///
/// SQLite turns a NaN into NULL and a −0.0 into 0.0, PostgreSQL keeps both; a `Date` far outside the calendar
/// cannot be written as text that reads back. Rather than let the two drivers disagree, or the process trap on
/// a value a JSON client sent, the core refuses NaN and unstorable dates with a `DatabaseError` of kind
/// `.invalidValue` (nothing is sent), stores −0.0 as 0.0 on every database, and rounds a `Date` to the
/// microsecond both store, so a value built from what was bound (an inserted value) equals what a read returns.
extension DatabaseValue {
    /// The value as the databases will hold it, or the error that refuses it.
    @usableFromInline
    func storable() throws -> DatabaseValue {
        switch self {
        case .double(let double):
            if double.isNaN {
                throw DatabaseError(kind: .invalidValue, code: "22P01",
                                    message: "NaN cannot be stored: SQLite would store NULL; use an optional")
            }
            return double == 0 && double.sign == .minus ? .double(0) : self
        case .date(let date):
            let rounded = TimestampText.date(microsecondsSince1970: try TimestampText.storableMicroseconds(date))
            return rounded == date ? self : .date(rounded)
        default:
            return self
        }
    }
}

extension DatabaseValue {
    /// Equal and, for doubles, of the same sign: −0.0 and 0.0 are equal numbers but different stored values.
    func isIdentical(to other: DatabaseValue) -> Bool {
        if case .double(let left) = self, case .double(let right) = other { return left.bitPattern == right.bitPattern }
        return self == other
    }
}

extension RenderedSQL {
    @usableFromInline
    func checkedForStorage() throws -> RenderedSQL {
        var normalized: [DatabaseValue]?
        for (index, value) in binds.enumerated() {
            switch value {
            case .double, .date:
                let stored = try value.storable()
                // Compared by representation: −0.0 == 0.0 as numbers, but not as what SQLite and PostgreSQL keep.
                if !stored.isIdentical(to: value) {
                    if normalized == nil { normalized = binds }
                    normalized?[index] = stored
                }
            default:
                continue
            }
        }
        guard let normalized else { return self }
        return RenderedSQL(text: text, binds: normalized, caching: caching)
    }
}
