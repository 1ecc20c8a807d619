import Foundation

/// What a span may say about a statement from its text alone: the leading keyword and the table it names.
/// The text has placeholders where values go, so nothing here can carry a bound value.
struct StatementSummary {
    /// `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `BEGIN`, …; nil for text that starts with no word.
    let operation: String?
    /// The first table named after FROM, INTO or UPDATE, unquoted.
    let table: String?

    init(_ text: String) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "(" || $0 == "," })
        operation = words.first.map { $0.uppercased() }.flatMap { $0.allSatisfy(\.isLetter) ? $0 : nil }
        var table: String?
        for (index, word) in words.enumerated() where index + 1 < words.count {
            let keyword = word.uppercased()
            guard keyword == "FROM" || keyword == "INTO" || (keyword == "UPDATE" && index == 0) else { continue }
            table = StatementSummary.identifier(words[index + 1])
            break
        }
        self.table = table
    }

    /// OpenTelemetry's span name: `{operation} {table}`, or the operation alone.
    var spanName: String {
        switch (operation, table) {
        case let (operation?, table?): "\(operation) \(table)"
        case let (operation?, nil): operation
        default: "statement"
        }
    }

    /// A quoted identifier with its quotes (and doubled quotes) undone; a bare word as it is. Anything else
    /// (a subquery, a placeholder) names no table.
    private static func identifier(_ word: Substring) -> String? {
        if word.first == "\"" {
            guard word.count >= 2, word.last == "\"" else { return nil }
            return String(word.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
        }
        guard let first = word.first, first.isLetter || first == "_" else { return nil }
        guard word.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) else { return nil }
        return String(word)
    }
}
