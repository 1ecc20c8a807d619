/// A plain struct stored in one table, with a database-generated `Int64` primary key and a version column.
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
///         id = try row.next(); owner = try row.next(); balance = try row.next(); version = try row.next()
///     }
/// }
/// ```
///
/// Rows decode positionally: `init(row:)` reads the primary key, then every column in schema order, then the
/// version. The library checks that the initializer reads exactly that many values. The key is a `let`, so a
/// value can never be pointed at another row and saved over it; `insert` builds the inserted value through
/// `init(row:)` to fill it in.
public protocol Model: Sendable {
    static var schema: Schema<Self> { get }
    init(row: inout Row) throws
}
