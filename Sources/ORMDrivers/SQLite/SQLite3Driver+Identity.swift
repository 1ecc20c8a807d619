import VersionedORM

extension SQLite3Driver {
    /// The file's name (not its whole path, which may name a user's directory); none for a database in memory.
    package var instrumentationIdentity: InstrumentationIdentity {
        let name = path == ":memory:" || path.isEmpty ? nil : path.split(separator: "/").last.map(String.init)
        return InstrumentationIdentity(system: "sqlite", namespace: name, serverAddress: nil)
    }
}
