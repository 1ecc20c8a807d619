extension Transaction {
    /// Deletes the row if its version is still the value's; otherwise throws ``StaleRecordError`` and deletes
    /// nothing.
    public func delete<M: Model>(_ value: M) throws {
        try versionedDelete(value)
    }

    /// Bumps the version without changing data, version-checked: marks the row as seen-and-changed, so every
    /// other copy becomes stale.
    public func touch<M: Model>(_ value: inout M) throws {
        let newVersion = try versionedUpdate(value, columnIndices: [], operation: .touch)
        value[keyPath: schema(for: M.self).version] = newVersion
    }
}
