extension Schema {
    /// Sets the written columns of `value` to what the database stores for them (dates rounded to the
    /// microsecond, −0.0 as 0.0), so a value that was saved equals the value a read returns.
    func holdStoredValues(of columnIndices: [Int], in value: inout M) {
        for index in columnIndices {
            // Only these storages are ever normalized; the type check spares every other column a read.
            let storage = columns[index].type.storage
            guard storage == .timestamp || storage == .double else { continue }
            let written = self.value(ofColumn: index, in: value)
            // The write succeeded; a value that cannot be stored would have been refused before it was sent.
            guard let stored = try? written.storable(), !stored.isIdentical(to: written) else { continue }
            try? columns[index].assign(&value, stored)
        }
    }


    /// The data columns whose values differ between two values of the model.
    func changedColumnIndices(from old: M, to new: M) -> [Int] {
        columns.indices.filter { value(ofColumn: $0, in: old) != value(ofColumn: $0, in: new) }
    }
}
