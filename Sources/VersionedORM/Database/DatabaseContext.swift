import Synchronization

/// What every transaction of one database shares: its dialect, configuration, and the latest commit token.
final class DatabaseContext: Sendable {
    let dialect: any SQLDialect
    let writeLockScope: WriteLockScope
    let configuration: DatabaseConfiguration
    private let latestToken = Mutex<CommitToken?>(nil)

    init(dialect: any SQLDialect, writeLockScope: WriteLockScope, configuration: DatabaseConfiguration) {
        self.dialect = dialect
        self.writeLockScope = writeLockScope
        self.configuration = configuration
    }

    var latestCommitToken: CommitToken? { latestToken.withLock { $0 } }

    /// Called after each commit on this database's connections; keeps the latest.
    func recordCommit(_ token: CommitToken) {
        latestToken.withLock { latest in
            if latest.map({ $0 < token }) ?? true { latest = token }
        }
    }
}
