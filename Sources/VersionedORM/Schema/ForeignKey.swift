/// What the database does to referencing rows when the referenced row is deleted or its key changes.
public enum ForeignKeyAction: String, Sendable, Hashable {
    /// The change is refused while rows reference it (checked at the end of the statement).
    case noAction = "NO ACTION"
    /// The change is refused at once while rows reference it.
    case restrict = "RESTRICT"
    /// Referencing rows are deleted (or their reference updated) with it.
    case cascade = "CASCADE"
    /// Referencing rows get NULL; the column must be optional.
    case setNull = "SET NULL"
    /// Referencing rows get the column's default.
    case setDefault = "SET DEFAULT"
}

/// A column's reference to another model's primary key, declared by ``Transaction/createTable(_:ifNotExists:)``
/// as `REFERENCES "parent" ("id")`. Both databases enforce it (the SQLite driver turns `foreign_keys` on for
/// every connection). The referencing column is not indexed unless it says `indexed: true`; PostgreSQL does
/// not index it by itself, and a delete of a parent then scans the child table.
///
/// ```swift
/// Column("account_id", \.accountID, references: ForeignKey(Account.self, onDelete: .cascade))
/// ```
public struct ForeignKey: Sendable {
    /// What happens to referencing rows when the referenced row is deleted.
    public let onDelete: ForeignKeyAction
    /// What happens to referencing rows when the referenced row's key changes.
    public let onUpdate: ForeignKeyAction
    /// The referenced model's name, for errors.
    let parentName: String
    // Read when the table is created, not when the schema is built: a model may reference itself, and its
    // schema cannot read itself while it is being initialized.
    private let readTarget: @Sendable () -> (table: String, column: String, key: ColumnType)

    /// A reference to `parent`'s primary key column in `parent`'s table.
    public init<Parent: Model>(_ parent: Parent.Type, onDelete: ForeignKeyAction = .noAction,
                               onUpdate: ForeignKeyAction = .noAction) {
        self.onDelete = onDelete
        self.onUpdate = onUpdate
        parentName = String(describing: Parent.self)
        readTarget = { (Parent.schema.table, Parent.schema.primaryKeyColumn, Parent.Key.columnType) }
    }

    /// The referenced table.
    public var referencedTable: String { readTarget().table }
    /// The referenced (primary key) column.
    public var referencedColumn: String { readTarget().column }
    /// The type of the referenced key, which the referencing column must store alike.
    var referencedKeyType: ColumnType { readTarget().key }
}
