/// A model's schema, or a name given to the query builder, is not usable.
public struct SchemaError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What is wrong, naming the model and the names involved.
    public let message: String

    /// A schema error that says `message`.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "schema error: \(message)" }
}
