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
        /// A column type, as the dialect declares it (for `CAST(… AS …)`).
        case columnType(ColumnType.Storage)
        /// A fragment that could not be built (an unknown column, say); rendering throws this as a SchemaError.
        case invalid(String)
        /// A fragment built from an argument out of range (a negative LIMIT); rendering throws a UsageError.
        case invalidArgument(String)
    }

    private(set) var segments: [Segment]
    /// Set for statements whose text varies from call to call (an `IN` list of any length): drivers then use
    /// them once instead of preparing and keeping each variant.
    private(set) var isOneOff = false

    init(segments: [Segment] = [], isOneOff: Bool = false) {
        self.segments = segments
        self.isOneOff = isOneOff
    }

    /// The same fragment, marked as text that varies between calls.
    func markedOneOff() -> SQL {
        SQL(segments: segments, isOneOff: true)
    }

    /// A literal without interpolations, taken as SQL text.
    public init(stringLiteral value: String) {
        segments = [.text(value)]
    }

    /// SQL text taken as it is. Never pass text that contains user input: values belong in interpolations.
    public init(unsafeRaw text: String) {
        segments = [.text(text)]
    }

    /// A literal with interpolations: values become bound parameters, identifiers are validated and quoted.
    public init(stringInterpolation: StringInterpolation) {
        segments = stringInterpolation.segments
        isOneOff = stringInterpolation.isOneOff
    }

    /// Builds an interpolated ``SQL`` literal from its text, bound values, identifiers and spliced fragments.
    public struct StringInterpolation: StringInterpolationProtocol {
        var segments: [Segment] = []
        var isOneOff = false

        /// Starts an empty fragment; the compiler calls it for each interpolated literal.
        public init(literalCapacity: Int, interpolationCount: Int) {
            segments.reserveCapacity(interpolationCount * 2 + 1)
        }

        /// The literal's text between interpolations, taken as SQL text.
        public mutating func appendLiteral(_ literal: String) {
            if !literal.isEmpty { segments.append(.text(literal)) }
        }

        /// A bound parameter.
        public mutating func appendInterpolation<Value: DatabaseValueConvertible>(_ value: Value) {
            segments.append(.value(value.databaseValue))
        }

        /// A primary key, bound.
        mutating func appendInterpolation(key: AnyPrimaryKey) {
            segments.append(.value(key.databaseValue))
        }

        /// A validated, quoted table or column name.
        public mutating func appendInterpolation(identifier name: String) {
            segments.append(.identifier(name))
        }

        /// Another fragment, spliced in with its own bound values.
        public mutating func appendInterpolation(_ fragment: SQL) {
            segments.append(contentsOf: fragment.segments)
            isOneOff = isOneOff || fragment.isOneOff
        }

        /// SQL text taken as it is, like ``SQL/init(unsafeRaw:)``. Never pass text that contains user input.
        public mutating func appendInterpolation(unsafeRaw text: String) {
            segments.append(.text(text))
        }
    }

    /// Appends `other`, with its bound values, to the end of this fragment; no space is added between them.
    public mutating func append(_ other: SQL) {
        segments.append(contentsOf: other.segments)
        isOneOff = isOneOff || other.isOneOff
    }

    /// The two fragments one after the other, with their bound values; no space is added between them.
    public static func + (lhs: SQL, rhs: SQL) -> SQL {
        SQL(segments: lhs.segments + rhs.segments, isOneOff: lhs.isOneOff || rhs.isOneOff)
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
@usableFromInline
package struct RenderedSQL: Sendable, Hashable {
    /// Whether a driver should keep the statement prepared.
    @usableFromInline
    package enum Caching: Sendable, Hashable {
        /// Sent again and again (the library's own statements, query-builder queries): prepare once, keep.
        case persistent
        /// Likely sent once (raw SQL, a query with an `IN` list whose length varies): prepare, use, discard.
        case transient
    }

    package var text: String
    package var binds: [DatabaseValue]
    package var caching: Caching

    /// A statement worth keeping prepared.
    @usableFromInline
    package init(text: String, binds: [DatabaseValue] = []) {
        self.init(text: text, binds: binds, caching: .persistent)
    }

    package init(text: String, binds: [DatabaseValue], caching: Caching) {
        self.text = text
        self.binds = binds
        self.caching = caching
    }
}
