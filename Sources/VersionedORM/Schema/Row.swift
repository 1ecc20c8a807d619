/// The current row of a query, read positionally.
///
/// A `Row` is only valid inside the callback or initializer it is passed to: it reads the driver's live result.
///
/// The decoding methods are `@inlinable` so that a model's `init(row:)` specializes them for its column types in
/// its own module: decoding is the per-row hot path.
public struct Row {
    @usableFromInline let cursor: any RowCursor
    @usableFromInline var nextIndex: Int = 0
    /// The index of the next value `next(_:)` reads.
    public var position: Int { nextIndex }
    /// The number of values (columns) in the row.
    public let count: Int

    package init(cursor: any RowCursor) {
        self.cursor = cursor
        self.count = cursor.columnCount
    }

    /// Reads the next value and converts it; throws when the row has no more values or the value does not fit.
    @inlinable
    public mutating func next<Value: DatabaseValueConvertible>(_ type: Value.Type = Value.self) throws -> Value {
        let value = try decode(type, at: nextIndex)
        nextIndex += 1
        return value
    }

    /// Reads the next value as the given property, checking that it is the property the schema has at this
    /// position: `owner = try row.next(\Account.owner)`. Two swapped reads of the same type throw instead of
    /// decoding each into the other.
    @inlinable
    public mutating func next<M: Model, Value: DatabaseValueConvertible>(_ property: KeyPath<M, Value>) throws -> Value {
        let order = M.schema.decodingOrder
        guard nextIndex < order.count, order[nextIndex] == property else {
            let expected = nextIndex < order.count ? "\(order[nextIndex])" : "nothing more"
            throw RowDecodingError(model: String(describing: M.self), columnIndex: nextIndex,
                                   reason: "init(row:) reads \(property) where the schema has \(expected)")
        }
        return try next(Value.self)
    }

    /// Reads the value at `index` and converts it.
    @inlinable
    public func decode<Value: DatabaseValueConvertible>(_ type: Value.Type = Value.self, at index: Int) throws -> Value {
        guard index >= 0, index < count else {
            throw RowDecodingError(columnIndex: index, reason: "the row has only \(count) columns")
        }
        do {
            return try Value.decode(from: self, at: index)
        } catch let error as ValueConversionError {
            throw RowDecodingError(columnIndex: index, reason: error.description)
        }
    }

    /// The raw value at `index`.
    @inlinable
    public func value(at index: Int) throws -> DatabaseValue {
        guard index >= 0, index < count else {
            throw RowDecodingError(columnIndex: index, reason: "the row has only \(count) columns")
        }
        return try cursor.value(at: index)
    }

    /// Every value of the row.
    public func values() throws -> [DatabaseValue] {
        try (0..<count).map { try cursor.value(at: $0) }
    }
}

/// A row could not be decoded: a value of the wrong type, or an initializer that read too many or too few values.
public struct RowDecodingError: Error, Sendable, CustomStringConvertible {
    /// The Swift type being decoded (`"Account"`), or nil when the error arose outside a model's decoding.
    public let model: String?
    /// The zero-based position of the value at fault, or nil when no single value is (an initializer that read
    /// too few values).
    public let columnIndex: Int?
    /// What went wrong, in words.
    public let reason: String

    /// For a hand-written `init(row:)` to throw; the model's decoding rethrows it with `model` set.
    public init(model: String? = nil, columnIndex: Int?, reason: String) {
        self.model = model
        self.columnIndex = columnIndex
        self.reason = reason
    }

    public var description: String {
        var text = "cannot decode row"
        if let model { text += " into \(model)" }
        if let columnIndex { text += " at column \(columnIndex)" }
        return text + ": \(reason)"
    }
}
