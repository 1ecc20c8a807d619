/// What every transaction of one database shares: its dialect and configuration.
final class DatabaseContext: Sendable {
    let dialect: any SQLDialect
    let configuration: DatabaseConfiguration

    init(dialect: any SQLDialect, configuration: DatabaseConfiguration) {
        self.dialect = dialect
        self.configuration = configuration
    }
}
