/// A model's schema, or a name given to the query builder, is not usable.
public struct SchemaError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "schema error: \(message)" }
}
