/// Where the `VersionedORMTesting` product reaches into transactions. Nil in production, where each costs one
/// check of an optional per statement.
package struct TestHooks: Sendable {
    /// Before a data statement is sent (not BEGIN, COMMIT or savepoints), with its text: a `DatabaseError` it
    /// throws takes the place of the statement's outcome, which is then not sent.
    package var beforeStatement: (@Sendable (_ text: String) throws -> Void)?
    /// Before a versioned UPDATE or DELETE of one row, with the row's table and key: calling `competingWrite`
    /// bumps the row's version on the same connection, as a writer that committed just before would, so the
    /// versioned write that follows is stale.
    package var beforeVersionedWrite: (@Sendable (_ table: String, _ key: AnyPrimaryKey,
                                                  _ competingWrite: () throws -> Void) throws -> Void)?

    package init(beforeStatement: (@Sendable (_ text: String) throws -> Void)? = nil,
                 beforeVersionedWrite: (@Sendable (_ table: String, _ key: AnyPrimaryKey,
                                                   _ competingWrite: () throws -> Void) throws -> Void)? = nil) {
        self.beforeStatement = beforeStatement
        self.beforeVersionedWrite = beforeVersionedWrite
    }
}
