/// A one-to-many association, declared once on the parent: `Child`'s `foreignKey` column holds a `Parent`'s key.
///
/// ```swift
/// extension PurchaseOrder { static let lines = HasMany<PurchaseOrder, OrderLine>(by: \.orderID) }
///
/// let orders = try PurchaseOrder.all().fetchAll(tx, including: PurchaseOrder.lines)   // [(PurchaseOrder, [OrderLine])]
/// let pairs = try PurchaseOrder.all().join(PurchaseOrder.lines).fetchAll(tx)          // [(PurchaseOrder, OrderLine)]
/// ```
public struct HasMany<Parent: Model, Child: Model>: Sendable {
    /// The child's column that holds its parent's key, as a member of `Child.ColumnPaths` (`\.orderID`).
    public let foreignKey: KeyPath<Child.ColumnPaths, KeyPath<Child, Parent.Key>> & Sendable

    /// Declares the association by the child's foreign-key property, a non-optional property of the parent's key type.
    public init(by foreignKey: KeyPath<Child.ColumnPaths, KeyPath<Child, Parent.Key>> & Sendable) {
        self.foreignKey = foreignKey
    }
}

/// The other side of a ``HasMany``, declared on the child: its `foreignKey` names its parent.
///
/// ```swift
/// extension OrderLine { static let order = BelongsTo<OrderLine, PurchaseOrder>(by: \.orderID) }
///
/// let order = try OrderLine.order.parent(of: line, in: tx)
/// ```
public struct BelongsTo<Child: Model, Parent: Model>: Sendable {
    /// The child's column that holds its parent's key, as a member of `Child.ColumnPaths` (`\.orderID`).
    public let foreignKey: KeyPath<Child.ColumnPaths, KeyPath<Child, Parent.Key>> & Sendable

    /// Declares the association by the child's foreign-key property, a non-optional property of the parent's key type.
    public init(by foreignKey: KeyPath<Child.ColumnPaths, KeyPath<Child, Parent.Key>> & Sendable) {
        self.foreignKey = foreignKey
    }

    /// The parent `child` refers to, nil when no such row exists.
    public func parent(of child: Child, in transaction: Transaction) throws -> Parent? {
        try transaction.find(Parent.self, id: child[keyPath: Child.ColumnPaths()[keyPath: foreignKey]])
    }
}

/// `"t1"."fk" = "t0"."key"` (or the other way round): a foreign key against the key of the table it names.
private func referenceCondition<Referring: Model, Referred: Model>(
    _ foreignKey: KeyPath<Referring.ColumnPaths, KeyPath<Referring, Referred.Key>>,
    referring: JoinedColumns<Referring>, referred: JoinedColumns<Referred>
) -> SQLExpression<Bool> {
    let reference = referring[dynamicMember: foreignKey]
    let key = SQLExpression<Referred.Key>(SQL(segments: [.identifier(referred.alias), .text("."),
                                                          .identifier(Referred.schema.primaryKeyColumn)]))
    return reference == key
}

extension Query {
    /// Each row with its children of `association`: ``fetchAll(_:including:by:)`` with the declared key.
    public func fetchAll<Child: Model>(_ transaction: Transaction, including association: HasMany<M, Child>) throws -> [(M, [Child])] {
        try fetchAll(transaction, including: Child.self, by: association.foreignKey)
    }

    /// Each row with each of its children: `JOIN child ON child.fk = key`.
    public func join<Child: Model>(_ association: HasMany<M, Child>) -> JoinQuery<M, Child, InnerJoin> {
        join(Child.self) { parent, child in referenceCondition(association.foreignKey, referring: child, referred: parent) }
    }

    /// Each row with each of its children, and once with nil when it has none: `LEFT JOIN`.
    public func leftJoin<Child: Model>(_ association: HasMany<M, Child>) -> JoinQuery<M, Child, LeftJoin> {
        leftJoin(Child.self) { parent, child in referenceCondition(association.foreignKey, referring: child, referred: parent) }
    }

    /// Each row with its parent: `JOIN parent ON fk = parent.key`.
    public func join<Parent: Model>(_ association: BelongsTo<M, Parent>) -> JoinQuery<M, Parent, InnerJoin> {
        join(Parent.self) { child, parent in referenceCondition(association.foreignKey, referring: child, referred: parent) }
    }
}
