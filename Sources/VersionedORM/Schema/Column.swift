/// One column of a model's schema: its name and the stored property it maps to.
///
/// `versioned: false` puts the column outside the version: a write that changes only such columns neither checks
/// nor bumps the version, so it never conflicts and never makes other copies stale (view counters,
/// `last_seen_at`). A full ``Transaction/save(_:)`` does not write them; changing them together with versioned
/// columns is an ordinary versioned write.
///
/// `unique`, `indexed`, `default` and `references` are what ``Transaction/createTable(_:ifNotExists:)`` declares
/// for the column (see ``ColumnConstraints``); they change nothing else.
public struct Column<M, Value: DatabaseValueConvertible>: Sendable {
    /// The column name in the table; validated when the schema is built.
    public let name: String
    /// The model property the column maps to.
    public let keyPath: WritableKeyPath<M, Value> & Sendable
    /// False when the column is outside the version (`versioned: false`).
    public let isVersioned: Bool
    /// What `createTable` declares beyond type and nullability.
    public let constraints: ColumnConstraints
    /// Reads the property directly, when given: faster than going through the key path at run time.
    @usableFromInline let read: (@Sendable (M) -> Value)?

    /// `read`, when given, is a getter for the very property `keyPath` names: it reads the value without the
    /// key-path runtime, and every insert and save reads every column. `@Model` passes one (`read: { $0.owner }`).
    @inlinable
    public init(_ name: String, _ keyPath: WritableKeyPath<M, Value> & Sendable, versioned: Bool = true,
                unique: Bool = false, indexed: Bool = false, default defaultValue: Value? = nil,
                references foreignKey: ForeignKey? = nil, read: (@Sendable (M) -> Value)? = nil) {
        self.name = name
        self.keyPath = keyPath
        self.isVersioned = versioned
        constraints = ColumnConstraints(unique: unique, indexed: indexed, defaultValue: defaultValue?.databaseValue,
                                        foreignKey: foreignKey)
        self.read = read
    }
}

/// A column with its value type erased, as the schema stores it.
///
/// The initializer is inlinable so that its closures are compiled in the model's module, for the model's
/// concrete types: compiled in this module, every column read and write went through the generic key path and
/// metadata runtime, a third of a batch insert's time.
public struct AnyColumn<M>: Sendable {
    /// The column name in the table; validated when the schema is built.
    public let name: String
    /// The model property the column maps to.
    public let keyPath: PartialKeyPath<M> & Sendable
    /// The column type `createTable` declares: the property type's `columnType`.
    public let type: ColumnType
    /// False when the column is outside the version (`versioned: false`).
    public let isVersioned: Bool
    /// What `createTable` declares beyond type and nullability.
    public let constraints: ColumnConstraints
    @usableFromInline let read: @Sendable (M) -> DatabaseValue
    @usableFromInline let copy: @Sendable (M, inout M) -> Void
    @usableFromInline let assign: @Sendable (inout M, DatabaseValue) throws -> Void

    /// Erases the value type of `column`; its readers and writers stay compiled for that type.
    @inlinable
    public init<Value>(_ column: Column<M, Value>) {
        name = column.name
        keyPath = column.keyPath
        type = Value.columnType
        isVersioned = column.isVersioned
        constraints = column.constraints
        let keyPath = column.keyPath
        if let get = column.read {
            read = { model in get(model).databaseValue }
        } else {
            read = { model in model[keyPath: keyPath].databaseValue }
        }
        copy = { source, target in target[keyPath: keyPath] = source[keyPath: keyPath] }
        assign = { target, value in target[keyPath: keyPath] = try Value.fromDatabaseValue(value) }
    }

    /// This column's value in `model`, as it is bound.
    public func value(in model: M) -> DatabaseValue { read(model) }

    /// Sets this column's property of `target` to its value in `source`.
    public func copyValue(from source: M, to target: inout M) { copy(source, &target) }
}

/// Builds a schema's column list from `Column(…)` lines: `Schema(…) { Column("owner", \.owner) }`.
@resultBuilder
public enum ColumnsBuilder<M> {
    /// Erases one ``Column`` to an ``AnyColumn``.
    @inlinable
    public static func buildExpression<Value>(_ column: Column<M, Value>) -> [AnyColumn<M>] {
        [AnyColumn(column)]
    }
    /// The columns, in the order written.
    @inlinable
    public static func buildBlock(_ components: [AnyColumn<M>]...) -> [AnyColumn<M>] {
        components.flatMap { $0 }
    }
}
