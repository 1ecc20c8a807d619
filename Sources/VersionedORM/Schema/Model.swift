/// A plain struct stored in one table, with a primary key and a version column.
///
/// Declare models with the `@Model` macro (product `VersionedORMMacros`), which writes all of this for you. By
/// hand, a model with a database-generated key looks like this:
///
/// ```swift
/// struct Account: Model {
///     let id: Int64?              // nil until inserted; must be a `let`
///     var owner: String
///     var balance: Int64
///     var version: Int64 = 0      // maintained by the library; 0 = not yet inserted
///
///     static let schema = Schema<Account>(table: "accounts", primaryKey: \.id, version: \.version) {
///         Column("owner", \.owner)
///         Column("balance", \.balance)
///     }
///
///     init(owner: String, balance: Int64) { id = nil; self.owner = owner; self.balance = balance }
///
///     init(row: inout Row) throws {
///         id = try row.next(\Account.id); owner = try row.next(\Account.owner)
///         balance = try row.next(\Account.balance); version = try row.next(\Account.version)
///     }
/// }
/// ```
///
/// Rows decode positionally: `init(row:)` reads the primary key, then every column in schema order, then the
/// version. The library checks that the initializer reads exactly that many values, and `row.next(\Model.property)`
/// checks that each read is the property the schema has at that position, so two swapped reads of the same type
/// throw instead of decoding silently. The key is a `let`, so a value can never be pointed at another row and
/// saved over it; `insert` builds the inserted value through `init(row:)` to fill it in.
///
/// A key the client chooses (`UUID`, `String`, a natural key) is a non-optional `let`, and the model names its
/// type: `typealias Key = UUID`.
public protocol Model: Sendable {
    /// The primary key's type, without the optional of a database-generated key.
    associatedtype Key: PrimaryKeyValue = Int64
    /// The properties a filter, an ordering or an assignment may name as `$0.property`. By default every
    /// property of the model (naming one the schema does not map is an error when the statement runs); the
    /// `@Model` macro generates a type that lists only the mapped ones, so any other name does not compile.
    associatedtype ColumnPaths: ModelColumnPaths = AllKeyPaths<Self>
    static var schema: Schema<Self> { get }
    init(row: inout Row) throws
}

/// The properties of a model that `$0.property` may name: a type with one member per column, each returning the
/// column's key path (`var owner: KeyPath<Account, String> { \.owner }`).
public protocol ModelColumnPaths {
    init()
}

/// Every property of `M`, for hand-written models.
@dynamicMemberLookup
public struct AllKeyPaths<M>: ModelColumnPaths {
    /// Holds nothing; ``ModelColumnPaths`` requires it.
    public init() {}

    /// Any key path of `M`, as it is: every property can be named, and one the schema does not map fails when
    /// the statement is rendered.
    public subscript<Value>(dynamicMember keyPath: KeyPath<M, Value>) -> KeyPath<M, Value> { keyPath }
}
