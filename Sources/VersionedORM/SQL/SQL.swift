/// A statement or fragment as a list of segments: SQL text, identifiers and bound values.
///
/// Placeholders and identifier quotes are only decided when a dialect renders it, so one statement serves `?`
/// and `$n`. In a string literal every interpolated value becomes a bound parameter:
///
/// ```swift
/// let rich: SQL = "SELECT owner FROM accounts WHERE balance > \(limit)"
/// ```
///
/// Identifiers go through `\(identifier: name)`, which validates and quotes them. Text that is not a literal can
/// only enter through ``init(unsafeRaw:)`` and `\(unsafeRaw:)`, whose names say what they risk: the segments
/// are the library's own, so nothing else can smuggle text in.
public struct SQL: Sendable, ExpressibleByStringInterpolation {
    enum Segment: Sendable {
        case text(String)
        case identifier(String)
        case value(DatabaseValue)
        /// A row-lock clause; each dialect spells it (PostgreSQL `FOR UPDATE …`) or needs none (SQLite).
        case rowLock(RowLock)
        /// A fragment that could not be built (an unknown column, say); rendering throws this as a SchemaError.
        case invalid(String)
        /// A fragment built from an argument out of range (a negative LIMIT); rendering throws a UsageError.
        case invalidArgument(String)
    }

    private(set) var segments: [Segment]

    init(segments: [Segment] = []) {
        self.segments = segments
    }

    public init(stringLiteral value: String) {
        segments = [.text(value)]
    }

    /// SQL text taken as it is. Never pass text that contains user input: values belong in interpolations.
    public init(unsafeRaw text: String) {
        segments = [.text(text)]
    }

    public init(stringInterpolation: StringInterpolation) {
        segments = stringInterpolation.segments
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var segments: [Segment] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            segments.reserveCapacity(interpolationCount * 2 + 1)
        }

        public mutating func appendLiteral(_ literal: String) {
            if !literal.isEmpty { segments.append(.text(literal)) }
        }

        /// A bound parameter.
        public mutating func appendInterpolation<Value: DatabaseValueConvertible>(_ value: Value) {
            segments.append(.value(value.databaseValue))
        }

        /// A validated, quoted table or column name.
        public mutating func appendInterpolation(identifier name: String) {
            segments.append(.identifier(name))
        }

        /// Another fragment, spliced in with its own bound values.
        public mutating func appendInterpolation(_ fragment: SQL) {
            segments.append(contentsOf: fragment.segments)
        }

        /// SQL text taken as it is, like ``SQL/init(unsafeRaw:)``. Never pass text that contains user input.
        public mutating func appendInterpolation(unsafeRaw text: String) {
            segments.append(.text(text))
        }
    }

    public mutating func append(_ other: SQL) {
        segments.append(contentsOf: other.segments)
    }

    public static func + (lhs: SQL, rhs: SQL) -> SQL {
        SQL(segments: lhs.segments + rhs.segments)
    }

    /// Joins fragments with a separator.
    public static func joined(_ fragments: [SQL], separator: String) -> SQL {
        var result = SQL()
        for (offset, fragment) in fragments.enumerated() {
            if offset > 0 { result.segments.append(.text(separator)) }
            result.append(fragment)
        }
        return result
    }
}

/// A statement as the driver receives it: final text and the values for its placeholders, in order.
public struct RenderedSQL: Sendable, Hashable {
    public var text: String
    public var binds: [DatabaseValue]

    public init(text: String, binds: [DatabaseValue] = []) {
        self.text = text
        self.binds = binds
    }
}
