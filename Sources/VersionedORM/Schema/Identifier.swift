/// The rule every table and column name must follow before it is quoted into SQL.
///
/// Names are always quoted, so reserved words (`order`, `group`) are fine; what is refused is anything a quote
/// could not make safe or portable: empty names, characters other than ASCII letters, digits and underscores,
/// a leading digit, and names longer than PostgreSQL's 63-byte limit.
public enum Identifier {
    /// The longest name accepted, in bytes: PostgreSQL's limit.
    public static let maximumLength = 63

    /// Returns nil when `name` is valid, else what is wrong with it.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "an identifier is empty" }
        let bytes = Array(name.utf8)
        if bytes.count > maximumLength {
            return "identifier '\(name.prefix(20))…' is longer than \(maximumLength) bytes"
        }
        for (offset, byte) in bytes.enumerated() {
            let isLetter = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || byte == UInt8(ascii: "_")
            let isDigit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            if !(isLetter || (isDigit && offset > 0)) {
                return "identifier '\(String(decoding: bytes.prefix(40), as: UTF8.self))' is malformed: use ASCII letters, digits and underscores, not starting with a digit"
            }
        }
        return nil
    }

    /// Throws a ``SchemaError`` saying what is wrong with `name`, if anything.
    public static func validate(_ name: String) throws {
        if let problem = problem(with: name) { throw SchemaError(problem) }
    }
}
