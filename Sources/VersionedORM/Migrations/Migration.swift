/// One named step of a database's schema history, applied once by a ``Migrator``.
///
/// ```swift
/// Migration("create accounts") { tx in try tx.createTable(Account.self) }
/// Migration("index accounts by owner") { tx in
///     try tx.execute(#"CREATE UNIQUE INDEX "accounts_owner" ON "accounts" ("owner")"#)
/// }
/// Migration("version the legacy invoices") { tx in try tx.addVersionColumn(to: Invoice.self) }
/// ```
///
/// The body runs in the migration's own transaction, together with the row that records it: a migration that
/// throws leaves neither its changes nor its record behind. Keep the name once it has shipped; it is what
/// marks the step as done.
public struct Migration: Sendable {
    /// The name the step is recorded under: unique in its ``Migrator``, at most 200 characters.
    public let name: String
    let body: @Sendable (Transaction) throws -> Void

    /// A step named `name` whose work is `body`.
    public init(_ name: String, _ body: @escaping @Sendable (Transaction) throws -> Void) {
        self.name = name
        self.body = body
    }
}
