/// What the library knows of a model's table: its name, primary key, version property and columns.
///
/// Names are validated when the schema is built; an invalid schema is reported as a ``SchemaError`` by the
/// first operation that uses it, so a typo never crashes the process and never reaches SQL.
///
/// A class, so that reading `M.schema` on every write costs one reference, not a copy of every field.
public final class Schema<M>: Sendable {
    public let table: String
    public let primaryKeyColumn: String
    /// The key property. It must be a `let`: a key that can be reassigned could point a loaded value at another
    /// row, and a save would then overwrite that row whenever the two versions happen to match.
    public let primaryKey: KeyPath<M, Int64?> & Sendable
    public let versionColumn: String
    public let version: WritableKeyPath<M, Int64> & Sendable
    /// The data columns, in the order `init(row:)` reads them (between primary key and version).
    public let columns: [AnyColumn<M>]
    /// Every problem found in the names, joined; nil when the schema is usable.
    public let problem: String?

    public init(
        table: String,
        primaryKey: KeyPath<M, Int64?> & Sendable,
        primaryKeyColumn: String = "id",
        version: WritableKeyPath<M, Int64> & Sendable,
        versionColumn: String = "version",
        @ColumnsBuilder<M> columns: () -> [AnyColumn<M>]
    ) {
        self.table = table
        self.primaryKey = primaryKey
        self.primaryKeyColumn = primaryKeyColumn
        self.version = version
        self.versionColumn = versionColumn
        let columns = columns()
        self.columns = columns

        var problems: [String] = []
        var seen: Set<String> = []
        for name in [table, primaryKeyColumn, versionColumn] + columns.map(\.name) {
            if let problem = Identifier.problem(with: name) { problems.append(problem) }
        }
        for name in [primaryKeyColumn, versionColumn] + columns.map(\.name) {
            if !seen.insert(name.lowercased()).inserted { problems.append("column '\(name)' is declared twice") }
        }
        if primaryKey is WritableKeyPath<M, Int64?> {
            problems.append("the primary key property must be a 'let' (declare 'let id: Int64?'), so that a loaded "
                + "value can never be pointed at another row; insert fills it in")
        }
        for (offset, column) in columns.enumerated()
        where columns[..<offset].contains(where: { $0.keyPath == column.keyPath }) {
            problems.append("the property of column '\(column.name)' is mapped twice")
        }
        problem = problems.isEmpty ? nil : "\(String(describing: M.self)): " + problems.joined(separator: "; ")
    }

    /// `version = CASE WHEN version < ? THEN version + 1 END`, bound with Int64.max: the bump of bulk and
    /// unversioned writes. At Int64.max it yields NULL, which the NOT NULL version column refuses on both
    /// databases (SQLite would otherwise store the sum as a REAL and PostgreSQL fail with 22003), so a row's
    /// version is never damaged and the failure is the same everywhere.
    func checkedVersionBump(limit: SQL = "\(Int64.max)") -> SQL {
        "\(identifier: versionColumn) = CASE WHEN \(identifier: versionColumn) < \(limit) THEN \(identifier: versionColumn) + 1 END"
    }

    /// All selected column names in decoding order.
    public var selectedColumnNames: [String] { [primaryKeyColumn] + columns.map(\.name) + [versionColumn] }

    /// Throws the schema's problem, if it has one.
    public func validate() throws {
        if let problem { throw SchemaError(problem) }
    }

    /// The position of a data column in ``columns``, by key path. A linear search: schemas are short and this
    /// runs when a query or column list is built, never per row.
    public func columnIndex(for keyPath: AnyKeyPath) -> Int? {
        columns.firstIndex { $0.keyPath == keyPath }
    }

    /// The column name for any property the schema maps: the primary key, the version, or a data column.
    public func columnName(for keyPath: AnyKeyPath) -> String? {
        if keyPath == primaryKey { return primaryKeyColumn }
        if keyPath == version { return versionColumn }
        return columnIndex(for: keyPath).map { columns[$0].name }
    }
}
