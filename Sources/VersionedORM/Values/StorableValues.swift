/// The values both databases store alike, checked before a statement is sent.
///
/// SQLite turns a NaN into NULL and a −0.0 into 0.0, PostgreSQL keeps both; a `Date` far outside the calendar
/// cannot be written as text that reads back. Rather than let the two drivers disagree, or the process trap on
/// a value a JSON client sent, the core refuses NaN and unstorable dates with a `DatabaseError` of kind
/// `.invalidValue` (nothing is sent) and stores −0.0 as 0.0 on every database.
extension RenderedSQL {
    @usableFromInline
    func checkedForStorage() throws -> RenderedSQL {
        var normalized: [DatabaseValue]?
        for (index, value) in binds.enumerated() {
            switch value {
            case .double(let double):
                if double.isNaN {
                    throw DatabaseError(kind: .invalidValue, code: "22P01",
                                        message: "NaN cannot be stored: SQLite would store NULL; use an optional")
                }
                if double == 0, double.sign == .minus {
                    if normalized == nil { normalized = binds }
                    normalized?[index] = .double(0)
                }
            case .date(let date):
                _ = try TimestampText.storableMicroseconds(date)
            default:
                continue
            }
        }
        guard let normalized else { return self }
        return RenderedSQL(text: text, binds: normalized, caching: caching)
    }
}
