extension Model {
    /// Decodes one row with `init(row:)` and checks it read exactly the schema's columns.
    @inlinable
    static func decode(_ row: inout Row) throws -> Self {
        let model: Self
        do {
            model = try Self(row: &row)
        } catch let error as RowDecodingError {
            throw RowDecodingError(model: String(describing: Self.self), columnIndex: error.columnIndex,
                                   reason: error.reason)
        }
        guard row.position == row.count else {
            throw RowDecodingError(model: String(describing: Self.self), columnIndex: nil,
                                   reason: "init(row:) read \(row.position) of the row's \(row.count) values")
        }
        return model
    }
}
