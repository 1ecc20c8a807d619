/// One model's columns of a joined row: positions `offset ..< offset + columnCount` of the driver's row, seen as
/// a row of their own, so the model decodes (and checks its schema's order) exactly as from its own table.
final class ColumnRangeCursor: RowCursor {
    let base: any RowCursor
    let offset: Int
    let columnCount: Int

    init(base: any RowCursor, offset: Int, columnCount: Int) {
        self.base = base
        self.offset = offset
        self.columnCount = columnCount
    }

    func value(at index: Int) throws -> DatabaseValue { try base.value(at: offset + index) }
    func isNull(at index: Int) throws -> Bool { try base.isNull(at: offset + index) }
    func int64(at index: Int) throws -> Int64? { try base.int64(at: offset + index) }
    func double(at index: Int) throws -> Double? { try base.double(at: offset + index) }
    func text(at index: Int) throws -> String? { try base.text(at: offset + index) }
}
