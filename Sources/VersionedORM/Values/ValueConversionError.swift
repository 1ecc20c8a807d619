/// A database value could not become the Swift type asked for.
///
/// The description names the types involved, never the value, so it is safe to log.
public struct ValueConversionError: Error, Sendable, CustomStringConvertible {
    /// The name of the Swift type asked for.
    public let targetType: String
    /// The kind of value found (`DatabaseValue.kindName`), never the value.
    public let found: String
    /// Why the value did not fit, when the kinds alone do not say (`"out of range"`).
    public let reason: String?

    /// Keeps the type's name and the kind of `found`, never the value itself.
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
