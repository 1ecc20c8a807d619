extension Schema {
    /// The data columns whose values differ between two values of the model.
    func changedColumnIndices(from old: M, to new: M) -> [Int] {
        columns.indices.filter { columns[$0].value(in: old) != columns[$0].value(in: new) }
    }
}
