// The figures peer-bench reports: a module of their own, so lock-bench decodes peer-bench's JSON into the same
// types without linking GRDB or PostgresNIO.

/// One overhead workload (W1, W2, W3, W3B) run one way by one peer: the median rate of its rounds.
public struct PeerResult: Codable, Sendable {
    /// "GRDB" or "PostgresNIO".
    public var peer: String
    /// The peer's release the figures were measured with.
    public var version: String
    /// "sqlite" or "postgres", as lock-bench names them.
    public var database: String
    public var workload: String
    /// How the peer was driven, e.g. "DatabaseQueue sync" or "PostgresConnection, prepared".
    public var variant: String
    public var rate: Double
    /// "ops/s" for W1, "rows/s" for the others, as in lock-bench.
    public var unit: String

    public init(peer: String, version: String, database: String, workload: String, variant: String, rate: Double,
                unit: String) {
        (self.peer, self.version, self.database, self.workload, self.variant, self.rate, self.unit) =
            (peer, version, database, workload, variant, rate, unit)
    }
}

/// One cell of the contention grid for one peer, strategy and variant.
public struct PeerContentionResult: Codable, Sendable {
    public var peer: String
    public var database: String
    /// "optimistic", "pessimistic" or "atomic", as lock-bench names its strategies.
    public var strategy: String
    /// How the strategy was written with this peer, e.g. "dbPool.read, then dbPool.write".
    public var variant: String
    public var workers: Int
    public var hotRows: Int
    public var increments: Int
    public var opsPerSecond: Double
    /// Versioned updates that changed no row and were tried again.
    public var retries: Int
    public var p50Micros: UInt64
    public var p99Micros: UInt64
    public var maxMicros: UInt64
    /// increments − SUM(balance): what the strategy let slip.
    public var lostUpdates: Int64
    /// PASS when nothing was lost, versions went up exactly once per increment and no increment failed.
    public var check: String
    /// Increments that threw instead of completing.
    public var errors: Int
    public var seconds: Double

    public init(peer: String, database: String, strategy: String, variant: String, workers: Int, hotRows: Int,
                increments: Int, opsPerSecond: Double, retries: Int, p50Micros: UInt64, p99Micros: UInt64,
                maxMicros: UInt64, lostUpdates: Int64, check: String, errors: Int, seconds: Double) {
        (self.peer, self.database, self.strategy, self.variant, self.workers, self.hotRows) =
            (peer, database, strategy, variant, workers, hotRows)
        (self.increments, self.opsPerSecond, self.retries, self.p50Micros, self.p99Micros, self.maxMicros) =
            (increments, opsPerSecond, retries, p50Micros, p99Micros, maxMicros)
        (self.lostUpdates, self.check, self.errors, self.seconds) = (lostUpdates, check, errors, seconds)
    }
}

/// The document peer-bench prints on standard output.
public struct PeerReport: Codable, Sendable {
    public var peers: [PeerResult]
    public var contention: [PeerContentionResult]

    public init(peers: [PeerResult], contention: [PeerContentionResult]) {
        self.peers = peers
        self.contention = contention
    }
}
