import Foundation

/// A type that can be a model's primary key: `Int64` (the database generates it), `UUID` or `String` (the
/// client chooses it), and any other column type that is `Hashable`, declared by conforming to this protocol.
///
/// Errors carry the key as `any PrimaryKeyValue`, so `error.primaryKey as? UUID` gets it back in its own type.
public protocol PrimaryKeyValue: DatabaseValueConvertible, Hashable, Sendable, CustomStringConvertible {}

extension Int64: PrimaryKeyValue {}
extension Int: PrimaryKeyValue {}
extension Int32: PrimaryKeyValue {}
extension String: PrimaryKeyValue {}
extension UUID: PrimaryKeyValue {}

/// Who assigns a model's primary key.
public enum KeyGeneration: Sendable, Hashable {
    /// The database, on insert: the key property is optional and nil until then (`let id: Int64?`).
    case database
    /// The client, before insert: the key property is not optional (`let id: UUID`, a natural key).
    case client
}

/// A primary key of any model, as errors and the library's bookkeeping carry it: `base` is the key in its own
/// type (`stale.primaryKey.base as? UUID`), and two keys are equal when they are the same value of the same type.
///
/// Its description shows integer and UUID keys, which identify a row and say nothing else; a text key may be a
/// natural key such as an e-mail address, so it is shown as `<text key>`, as bound values are kept out of every
/// message by default.
public struct AnyPrimaryKey: Hashable, Sendable, CustomStringConvertible {
    /// The key in its own type; get it back with `as?` or `value(as:)`.
    public let base: any PrimaryKeyValue
    /// The key as it is bound in statements.
    public let databaseValue: DatabaseValue

    /// Wraps a key of any primary-key type.
    public init(_ base: some PrimaryKeyValue) {
        self.base = base
        databaseValue = base.databaseValue
    }

    /// The key in its own type, or nil when it has another.
    public func value<Key: PrimaryKeyValue>(as type: Key.Type = Key.self) -> Key? { base as? Key }

    /// True when both keys are the same value of the same Swift type.
    public static func == (lhs: AnyPrimaryKey, rhs: AnyPrimaryKey) -> Bool {
        type(of: lhs.base) == type(of: rhs.base) && lhs.databaseValue == rhs.databaseValue
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(databaseValue)
    }

    public var description: String {
        switch databaseValue {
        case .integer(let integer): "\(integer)"
        case .uuid(let uuid): uuid.uuidString
        default: "<\(databaseValue.kindName) key>"
        }
    }

    /// A total order for locking rows one after another: integers by value, anything else by its bound form.
    /// Every transaction uses the same order, which is all deadlock avoidance needs.
    static func lockOrder(_ lhs: AnyPrimaryKey, _ rhs: AnyPrimaryKey) -> Bool {
        switch (lhs.databaseValue, rhs.databaseValue) {
        case (.integer(let left), .integer(let right)): left < right
        case (.uuid(let left), .uuid(let right)): left.uuidString < right.uuidString
        case (.text(let left), .text(let right)): left < right
        default: "\(lhs.databaseValue)" < "\(rhs.databaseValue)"
        }
    }
}

/// `stale.primaryKey == 7` compares with an `Int64` key, `== "ada"` with a `String` key.
extension AnyPrimaryKey: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    /// An `Int64` key.
    public init(integerLiteral value: Int64) { self.init(value) }
    /// A `String` key.
    public init(stringLiteral value: String) { self.init(value) }
}
