/// A database value could not become the Swift type asked for.
///
/// The description names the types involved, never the value, so it is safe to log.
public struct ValueConversionError: Error, Sendable, CustomStringConvertible {
    public let targetType: String
    public let found: String
    public let reason: String?

    public init(targetType: Any.Type, found: DatabaseValue, reason: String? = nil) {
        self.targetType = String(describing: targetType)
        self.found = found.kindName
        self.reason = reason
    }

    public var description: String {
        var text = "cannot convert a database \(found) value to \(targetType)"
        if let reason { text += ": \(reason)" }
        return text
    }
}
