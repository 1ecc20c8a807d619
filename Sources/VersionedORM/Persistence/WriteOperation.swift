/// The persistence operations, as errors name them.
public enum WriteOperation: String, Sendable, CustomStringConvertible {
    case insert, save, update, delete, touch

    public var description: String { rawValue }
}
