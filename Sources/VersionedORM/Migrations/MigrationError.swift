/// Why a ``Migrator`` refused to run.
public enum MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Two migrations share a name, or a name is empty or longer than 200 characters.
    case invalidName(String)
    /// The database records a migration this migrator does not know: it was applied by a newer version of the
    /// application, or renamed. Nothing was applied.
    case unknownMigration(String)
    /// The database's record lists migrations in another order than this migrator (one was inserted before
    /// others that had already run). Nothing was applied.
    case outOfOrder(recorded: String, expected: String)

    public var description: String {
        switch self {
        case .invalidName(let name):
            "migration names must be unique and 1 to 200 characters long (\(name.count) characters: check for duplicates)"
        case .unknownMigration(let name):
            "the database records migration '\(name)', which this application does not list: it may be newer than the code"
        case .outOfOrder(let recorded, let expected):
            "the database applied '\(recorded)' where this application lists '\(expected)': add new migrations at the end"
        }
    }
}
