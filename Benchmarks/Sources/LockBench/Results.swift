import BenchSupport

/// One cell of the contention grid.
struct ContentionResult: Codable, Sendable {
    var database: String
    var strategy: String
    var workers: Int
    var hotRows: Int
    var increments: Int
    var opsPerSecond: Double
    var p50Micros: UInt64
    var p99Micros: UInt64
    var maxMicros: UInt64
    var retries: Int
    var lostUpdates: Int64
    /// PASS when nothing was lost and versions went up exactly once per increment; n/a for naive.
    var check: String
    var errors: Int
    var seconds: Double
    /// The same increments through the C APIs, in the same run (nil where no raw baseline applies: unnamed
    /// statements, the pooler).
    var raw: RawContentionFigures?
    /// opsPerSecond ÷ raw.opsPerSecond.
    var ratio: Double?
}

struct RawContentionFigures: Codable, Sendable {
    var opsPerSecond: Double
    var p50Micros: UInt64
    var p99Micros: UInt64
    var retries: Int
    var lostUpdates: Int64
    var check: String
}

/// One overhead workload: the library against the C API, same SQL, same process, same run.
struct OverheadResult: Codable, Sendable {
    var database: String
    var workload: String
    var description: String
    var unit: String
    /// Through the async API (`db.write` / `db.read`), one hop to the connection's thread per transaction.
    var libraryRate: Double
    var rawRate: Double
    var ratio: Double
    /// Through the blocking API (`writeSync` / `readSync`) from a plain thread: no hop.
    var librarySyncRate: Double
    var syncRatio: Double
    var target: Double
}

struct Settings: Codable, Sendable {
    var library: String
    var sqliteVersion: String
    var postgresVersion: String?
    var sqliteSettings: [String: String]
    var postgresSettings: [String: String]
    var loadAverage: [Double]
    var quick: Bool
    var build: String
    var cores: Int
    var date: String
}

struct BenchmarkReport: Codable, Sendable {
    var settings: Settings
    var contention: [ContentionResult]
    var overhead: [OverheadResult]
    var memory: [MemoryResult] = []
    var batch: [BatchResult] = []
    /// peer-bench's figures from the same sitting (`--peers`).
    var peers: PeerReport?
}
