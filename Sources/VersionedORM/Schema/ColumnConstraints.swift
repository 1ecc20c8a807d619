/// What ``Transaction/createTable(_:ifNotExists:)`` declares for a column beyond its type and nullability.
public struct ColumnConstraints: Sendable {
    /// `UNIQUE`: no two rows hold the same value (NULLs aside).
    public let isUnique: Bool
    /// An index of its own on the column; a unique column has one already.
    public let isIndexed: Bool
    /// The `DEFAULT` a row inserted by other SQL gets when it leaves the column out. The library's own inserts
    /// always write every column.
    public let defaultValue: DatabaseValue?
    /// The reference to another model's key, if any.
    public let foreignKey: ForeignKey?

    /// Constraints as listed; none by default.
    public init(unique: Bool = false, indexed: Bool = false, defaultValue: DatabaseValue? = nil,
                foreignKey: ForeignKey? = nil) {
        isUnique = unique
        isIndexed = indexed
        self.defaultValue = defaultValue
        self.foreignKey = foreignKey
    }
}
