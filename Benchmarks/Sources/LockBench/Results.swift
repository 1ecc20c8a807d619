import Foundation
import BenchSupport

/// One cell of the contention grid: a strategy under one workload.
struct ContentionResult: Codable, Sendable {
    var database: String
    var strategy: String
    var workers: Int
    /// The hot-set size H for uniform picks; the table's rows for Zipf picks.
    var hotRows: Int
    /// "H=16" or "zipf 0.99".
    var picks: String
    var zipfTheta: Double?
    /// The uniform hot set that collides as often as these picks (``RowPicks/effectiveHotRows``).
    var effectiveHotRows: Double
    var rowsPerTransaction: Int
    var thinkMicros: Int
    var isolation: String
    /// "closed" or "open 1000/s".
    var arrival: String
    /// Operations (each of `rowsPerTransaction` rows).
    var increments: Int
    /// Committed operations per second (goodput: refused operations are not counted).
    var opsPerSecond: Double
    /// Latency per operation from its first attempt (open loop: from its intended start), µs.
    var p50Micros: UInt64
    var p99Micros: UInt64
    var p999Micros: UInt64
    var maxMicros: UInt64
    var retries: Int
    /// (committed operations + retries) ÷ committed operations.
    var attemptsPerCommit: Double
    /// The most attempts one operation needed: how unfair the strategy was to its unluckiest caller.
    var maxAttempts: Int
    /// Statements sent (the library's trace), and those beyond what the same commits take uncontended: the
    /// attempts that lost a race, and for adaptive the locking attempts' extra BEGIN and COMMIT.
    var statements: Int
    var wastedStatements: Int
    /// From the library's own metrics: stale versioned writes, and the time pessimistic modifications waited for
    /// their row's lock (`versioned_orm.lock_waits`, 0 where the library does not time it).
    var conflicts: Int
    var lockWaitMicros: Int64
    /// Attempts `.adaptive` ran locking (`versioned_orm.adaptive_attempts`, mode pessimistic).
    var adaptiveLockingAttempts: Int?
    var lostUpdates: Int64
    /// PASS when nothing was lost and versions went up exactly once per row written; n/a for naive.
    var check: String
    var errors: Int
    var seconds: Double
    /// The same operations through the C APIs, in the same run (nil where no raw baseline applies: unnamed
    /// statements, the pooler).
    var raw: RawContentionFigures?
    /// opsPerSecond ÷ raw.opsPerSecond.
    var ratio: Double?

    /// Each round's committed operations per second, in the order the rounds ran, when the cell ran more than
    /// one (`--rounds`); the other figures are then the median round's, and `ratio` is the median round's over
    /// the median raw round's.
    var roundsOpsPerSecond: [Double]?
    /// The raw baseline's operations per second in each round, beside `roundsOpsPerSecond`.
    var roundsRawOpsPerSecond: [Double]?

    /// What sets the workload apart from the base plane (``Workload/variation``): "base", "k=4", "think 1 ms", …
    var variation: String

    /// Whether the cell lies on the heatmap's plane (one row, no think time, read committed, closed loop).
    var isBasePlane: Bool { variation == "base" }

    var rowPicks: RowPicks { zipfTheta.map { .zipf(theta: $0, rows: hotRows) } ?? .hot(hotRows) }
}

struct RawContentionFigures: Codable, Sendable {
    var opsPerSecond: Double
    var p50Micros: UInt64
    var p99Micros: UInt64
    var p999Micros: UInt64
    var retries: Int
    var maxAttempts: Int
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
    /// The 1, 5 and 15-minute load averages when the run ended (and `loadAverageAtStart` when it began).
    var loadAverage: [Double]
    var loadAverageAtStart: [Double]?
    /// How long the whole run took.
    var runSeconds: Double?
    var quick: Bool
    var build: String
    var cores: Int
    var date: String
}

struct BenchmarkReport: Codable, Sendable {
    /// Every figure as pretty-printed JSON, keys sorted (`--json`).
    func writeJSON(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path))
    }

    /// The HTML report as `directory/index.html` (`--report`); returns the page's path.
    func writeReport(toDirectory directory: String) throws -> String {
        let folder = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let page = folder.appendingPathComponent("index.html")
        try Data(HTMLReport.render(self).utf8).write(to: page)
        return page.path
    }

    var settings: Settings
    var contention: [ContentionResult]
    var overhead: [OverheadResult]
    var memory: [MemoryResult] = []
    var batch: [BatchResult] = []
    /// peer-bench's figures from the same sitting (`--peers`).
    var peers: PeerReport?
}

extension ContentionResult {
    /// One cell out of its rounds: the figures of the round at the middle by committed operations per second
    /// (the upper of two), every round's rate beside them, the raw baseline's median round, and the invariant
    /// check of the worst round, so a round that lost an update fails the cell even when the median one did not.
    static func median(of rounds: [ContentionResult]) -> ContentionResult? {
        guard rounds.count > 1 else { return rounds.first }
        let ranked = rounds.sorted { $0.opsPerSecond < $1.opsPerSecond }
        var cell = ranked[ranked.count / 2]
        cell.roundsOpsPerSecond = rounds.map(\.opsPerSecond)
        let raws = rounds.compactMap(\.raw)
        if raws.count == rounds.count {
            let rankedRaw = raws.sorted { $0.opsPerSecond < $1.opsPerSecond }
            var raw = rankedRaw[rankedRaw.count / 2]
            if raws.contains(where: { $0.check == "FAIL" }) { raw.check = "FAIL" }
            raw.lostUpdates = raws.map(\.lostUpdates).max { abs($0) < abs($1) } ?? raw.lostUpdates
            cell.raw = raw
            cell.roundsRawOpsPerSecond = raws.map(\.opsPerSecond)
            cell.ratio = cell.opsPerSecond / max(raw.opsPerSecond, 1e-9)
        }
        if rounds.contains(where: { $0.check == "FAIL" }) { cell.check = "FAIL" }
        cell.lostUpdates = rounds.map(\.lostUpdates).max { abs($0) < abs($1) } ?? cell.lostUpdates
        cell.errors = rounds.map(\.errors).max() ?? cell.errors
        return cell
    }
}
