import ArgumentParser
import CoreMetrics
import Foundation
import BenchSupport
import RawSQLite
import VersionedORM

@main
struct LockBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock-bench",
        abstract: "Compares lock strategies under contention and measures the library against the raw drivers.",
        subcommands: [Measure.self, Render.self, Advise.self], defaultSubcommand: Measure.self)
}

/// `lock-bench` / `lock-bench measure`: the contention grid, the overhead workloads, memory or the batch job.
struct Measure: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Runs the contention grid and the overhead workloads (the default), or --memory, or --batch.")

    enum DatabaseChoice: String, ExpressibleByArgument, CaseIterable {
        case sqlite, postgres, all
    }

    @Option(help: "Which databases to run: sqlite, postgres or all.")
    var database: DatabaseChoice = .all

    @Option(name: .customLong("postgres-url"),
            help: "A PostgreSQL server to use (libpq URI or conninfo). Default: VERSIONED_ORM_POSTGRES_URL, else a throwaway cluster.")
    var postgresURL: String?

    @Flag(help: "Also run the PostgreSQL contention grid with unnamed statements, direct and through PgBouncer in transaction mode.")
    var pooling = false

    @Option(name: .customLong("pgbouncer-url"),
            help: "The PgBouncer for --pooling. Default: VERSIONED_ORM_PGBOUNCER_URL, else the one the throwaway cluster's script starts.")
    var pgbouncerURL: String?

    @Flag(help: "A reduced grid and counts that finish in about a minute.")
    var quick = false

    @Option(help: "Write every figure and the settings to this JSON file.")
    var json: String?

    @Option(help: "Write a self-contained HTML report into this directory.")
    var report: String?

    @Flag(help: "Skip the contention grid (for profiling the overhead workloads).")
    var overheadOnly = false

    @Option(name: .customLong("workload"), help: "Run only these overhead workloads (W0, W1, W2, W3, W3B); repeatable.")
    var workloads: [String] = []

    @Flag(help: "Measure memory instead: allocations per fetched row and per save (counted by the malloc interposer lock-bench links) and the resident set along --memory-updates modifications.")
    var memory = false

    @Option(name: .customLong("memory-updates"), help: "Modifications in the --memory run (default 1,000,000; 100,000 with --quick), and the rows its streaming read goes through.")
    var memoryUpdates: Int?

    @Flag(help: "Measure the batch job instead: db.updateEach beside a plain updateAll, and again while 8 tasks edit random rows.")
    var batch = false

    @Option(name: .customLong("batch-rows"), help: "Rows in the --batch run (default 100,000; 20,000 with --quick).")
    var batchRows: Int?

    @Option(name: .customLong("strategy"), help: "Run only these strategies in the contention grid (for profiling one); repeatable.")
    var strategies: [String] = []

    @Flag(help: "Also run peer-bench (GRDB, PostgresNIO) on the same workloads and databases and report them side by side.")
    var peers = false

    @Option(help: "Worker counts of the contention grid, comma-separated (e.g. 1,2,4,8,16,32,64).")
    var workers: String?

    @Option(help: "Row picks of the contention grid, comma-separated: hot-set sizes and Zipf skews (e.g. 1,16,1000,zipf0.99).")
    var picks: String?

    @Option(name: .customLong("rows-per-tx"), help: "Rows each operation increments in one transaction, comma-separated (e.g. 1,4).")
    var rowsPerTransaction: String?

    @Option(name: .customLong("think-us"), help: "Client think time inside each operation in µs, comma-separated (e.g. 0,1000).")
    var thinkMicros: String?

    @Option(help: "PostgreSQL isolation levels, comma-separated: read-committed, serializable.")
    var isolation: String?

    @Option(name: .customLong("open-loop-rate"), help: "Run open-loop at these total arrival rates (operations/s), comma-separated, instead of closed-loop.")
    var openLoopRates: String?

    @Option(help: "Operations per contention cell (default 2,000; 600 with --quick).")
    var increments: Int?

    @Option(help: "Run each contention workload this many times, the strategies taking turns, and report each cell's median round with every round's rate (default 1).")
    var rounds: Int = 1

    @Flag(name: .customLong("no-raw"), help: "Skip the raw C-API baseline of each contention cell (halves a long run that only compares strategies).")
    var noRaw = false

    @Option(name: .customLong("zipf-rows"), help: "The table the Zipf picks draw from (default 100,000 rows).")
    var zipfRows: Int = GridPlan.zipfRows

    func run() async throws {
        #if DEBUG
        warn("warning: this is a debug build; measure with swift run -c release")
        #endif
        // The library's contention metrics, summed per cell (an application bootstraps its own backend instead).
        MetricsSystem.bootstrap(BenchMetrics.shared)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lock-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        var databases: [BenchDatabase] = []
        var throwaway: ThrowawayPostgres?
        defer { throwaway?.stop() }
        if database != .postgres { databases.append(.sqlite(path: directory.appendingPathComponent("bench.sqlite").path)) }
        if database != .sqlite {
            var pooler = pgbouncerURL ?? ProcessInfo.processInfo.environment["VERSIONED_ORM_PGBOUNCER_URL"]
            let direct: String
            if let url = postgresURL ?? ProcessInfo.processInfo.environment["VERSIONED_ORM_POSTGRES_URL"], !url.isEmpty {
                direct = url
            } else {
                warn("Starting a throwaway PostgreSQL cluster …")
                let server = try ThrowawayPostgres()
                throwaway = server
                direct = server.url
                pooler = pooler ?? server.poolerURL
            }
            databases.append(.postgres(url: direct))
            if pooling {
                databases.append(.postgresUnnamed(url: direct, throughPooler: false))
                guard let pooler, !pooler.isEmpty else { throw BenchError("--pooling needs a PgBouncer: pass --pgbouncer-url") }
                databases.append(.postgresUnnamed(url: pooler, throughPooler: true))
            }
        }

        let runStarted = ContinuousClock.now
        let plan = try gridPlan()
        let increments = self.increments ?? (quick ? 600 : 2_000)
        guard increments >= 1 else { throw BenchError("--increments must be at least 1") }
        guard rounds >= 1 else { throw BenchError("--rounds must be at least 1") }
        let overheadRounds = quick ? 3 : 9
        var contention: [ContentionResult] = []
        var overhead: [OverheadResult] = []
        var settings = Settings(
            library: "0.1.0", sqliteVersion: String(cString: sqlite3_libversion()), postgresVersion: nil,
            sqliteSettings: ["journal_mode": "WAL", "synchronous": "NORMAL", "busy_timeout": "30 s", "writers": "1 connection",
                             "readers": "one per worker"],
            postgresSettings: [:], loadAverage: Self.loadAverage(), loadAverageAtStart: Self.loadAverage(), quick: quick, build: Self.build,
            cores: ProcessInfo.processInfo.activeProcessorCount, date: ISO8601DateFormatter().string(from: Date()))

        let gridStrategies = try strategies.isEmpty ? Strategy.allCases : strategies.map(Self.strategy(named:))
        let gridCells = overheadOnly || memory || batch ? 0
            : databases.reduce(0) { $0 + ContentionLab.cellCount(plan.workloads(for: $1), gridStrategies, rounds: rounds) }
        let tracker = RunProgress(total: gridCells)
        let interruption = tracker.writeOnInterrupt(settings: settings, json: json, directory: directory)
        defer { interruption.cancel() }
        var memoryResults: [MemoryResult] = []
        var batchResults: [BatchResult] = []
        var peerReport: PeerReport?
        for target in databases {
            try await target.prepare()
            if batch {
                guard target.runsOverhead else { continue }
                warn("\(target.name): batch job")
                let rows = batchRows ?? (quick ? 20_000 : 100_000)
                batchResults.append(try await BatchBenchmark(database: target, rows: rows).run(progress: warn))
                continue
            }
            let peerSession = peers && !memory ? Self.startPeers(for: target, quick: quick, rounds: overheadRounds) : nil
            if memory {
                guard target.runsOverhead else { continue }
                warn("\(target.name): memory")
                let updates = memoryUpdates ?? (quick ? 100_000 : 1_000_000)
                memoryResults.append(try await MemoryBenchmark(database: target, updates: updates).run(progress: warn))
                continue
            }
            if case .postgres = target {
                let (version, serverSettings) = try await Self.postgresSettings(target)
                settings.postgresVersion = version
                settings.postgresSettings = serverSettings
            }
            if !overheadOnly {
                warn("\(target.name): contention grid (\(increments) operations per cell)")
                var lab = ContentionLab(database: target, workloads: plan.workloads(for: target), increments: increments,
                                        peers: peerSession, tracker: tracker)
                lab.strategies = gridStrategies
                lab.rounds = rounds
                lab.runsRawBaseline = !noRaw
                contention += try await lab.run(progress: warn)
            }
            if target.runsOverhead {
                warn("\(target.name): overhead against the raw driver")
                let bench = OverheadBenchmark(database: target, saves: quick ? 2_000 : 20_000, fetches: quick ? 5 : 50,
                                              inserts: quick ? 2_000 : 10_000, rounds: overheadRounds,
                                              workloads: workloads.isEmpty ? ["W0", "W1", "W2", "W3", "W3B"] : Set(workloads),
                                              peers: peerSession)
                let figures = try await bench.run(progress: warn)
                tracker.finished(figures)
                overhead += figures
            }
            if let peerSession {
                let figures = await peerSession.finish()
                Self.describe(figures, progress: warn)
                peerReport = PeerReport(peers: (peerReport?.peers ?? []) + figures.peers,
                                        contention: (peerReport?.contention ?? []) + figures.contention)
            }
        }
        settings.loadAverage = Self.loadAverage()
        settings.runSeconds = runStarted.duration(to: .now).seconds
        let result = BenchmarkReport(settings: settings, contention: contention, overhead: overhead, memory: memoryResults,
                                     batch: batchResults, peers: peerReport)
        print(Self.table(result))

        if let json {
            try result.writeJSON(to: json)
            warn("wrote \(json)")
        }
        if let report { warn("wrote \(try result.writeReport(toDirectory: report))") }
        if batchResults.contains(where: { $0.check == "FAIL" }) {
            throw BenchError("the batch job lost an edit or missed a row")
        }
        if contention.contains(where: { $0.check == "FAIL" || $0.raw?.check == "FAIL" }) {
            throw BenchError("an invariant check failed: a strategy other than naive lost or double-counted an update")
        }
    }

    static func strategy(named name: String) throws -> Strategy {
        guard let strategy = Strategy(rawValue: name) else {
            throw BenchError("unknown strategy \(name): use \(Strategy.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return strategy
    }

    /// The grid the options ask for; every value checked, so a typo fails before anything runs.
    func gridPlan() throws -> GridPlan {
        func list<T>(_ text: String?, _ option: String, _ parse: (String) -> T?) throws -> [T]? {
            guard let text else { return nil }
            let values = try text.split(separator: ",").map { part in
                guard let value = parse(String(part)) else { throw BenchError("--\(option): cannot read \"\(part)\"") }
                return value
            }
            guard !values.isEmpty else { throw BenchError("--\(option) needs at least one value") }
            return values
        }
        guard zipfRows >= 2 else { throw BenchError("--zipf-rows must be at least 2") }
        return GridPlan(
            workers: try list(workers, "workers") { Int($0).flatMap { $0 >= 1 && $0 <= 1_000 ? $0 : nil } },
            picks: try list(picks, "picks") { RowPicks(parsing: $0, zipfRows: zipfRows) },
            rowsPerTransaction: try list(rowsPerTransaction, "rows-per-tx") { Int($0).flatMap { $0 >= 1 && $0 <= 1_000 ? $0 : nil } },
            thinkMicros: try list(thinkMicros, "think-us") { Int($0).flatMap { $0 >= 0 && $0 <= 10_000_000 ? $0 : nil } },
            isolations: try list(isolation, "isolation") { Isolation(rawValue: $0) },
            openLoopRates: try list(openLoopRates, "open-loop-rate") { Int($0).flatMap { $0 >= 1 ? $0 : nil } },
            quick: quick)
    }

    /// The peer for `target` (GRDB on SQLite, PostgresNIO on PostgreSQL direct), serving from a child process;
    /// nil for the pooled targets, which have no peer, or when peer-bench cannot start.
    static func startPeers(for target: BenchDatabase, quick: Bool, rounds: Int) -> PeerSession? {
        let database: String
        var url: String?
        switch target {
        case .sqlite: database = "sqlite"
        case .postgres(let direct): (database, url) = ("postgres", direct)
        default: return nil
        }
        do {
            warn("peers: \(database == "sqlite" ? "GRDB" : "PostgresNIO") beside each round and cell")
            return try PeerSession(database: database, postgresURL: url, quick: quick, rounds: rounds)
        } catch {
            warn("peers: \(error); the report goes on without them")
            return nil
        }
    }

    /// The medians of a peer's overhead variants, as peer-bench prints them when it runs alone.
    static func describe(_ figures: PeerReport, progress: (String) -> Void) {
        for result in figures.peers {
            progress("  \(result.peer) \(result.database) \(result.workload.padded(3)) \(result.variant.padded(52)) "
                + "\(String(Int(result.rate)).padded(9, left: true)) \(result.unit)")
        }
    }

    /// Each workload and contention cell: VersionedORM (async), the raw driver and the peer's best variant.
    static func peerLines(_ report: BenchmarkReport, _ peers: PeerReport) -> [String] {
        var lines = ["", "Against the peers (best variant of each; ratio = VersionedORM ÷ peer)",
                     "database  workload     VersionedORM            raw    peer best  peer variant                                   ratio"]
        for row in report.overhead {
            guard let best = peers.peers.filter({ $0.database == row.database && $0.workload == row.workload })
                .max(by: { $0.rate < $1.rate }) else { continue }
            lines.append([row.database.padded(9), row.workload.padded(8), String(Int(row.libraryRate)).padded(16, left: true),
                          String(Int(row.rawRate)).padded(14, left: true), String(Int(best.rate)).padded(12, left: true),
                          " " + "\(best.peer) \(best.variant)".padded(46), String(format: "%6.2f", row.libraryRate / max(best.rate, 1e-9))]
                .joined(separator: " "))
        }
        lines += ["", "database  strategy      T    H  VersionedORM      raw  peer best  peer variant                                             ratio"]
        for cell in report.contention where ["optimistic", "pessimistic", "atomic"].contains(cell.strategy)
            && cell.isBasePlane && cell.zipfTheta == nil {
            guard let best = peers.contention.filter({ $0.database == cell.database && $0.strategy == cell.strategy
                && $0.workers == cell.workers && $0.hotRows == cell.hotRows && $0.check == "PASS" })
                .max(by: { $0.opsPerSecond < $1.opsPerSecond }) else { continue }
            lines.append([cell.database.padded(9), cell.strategy.padded(12), String(cell.workers).padded(3, left: true),
                          String(cell.hotRows).padded(4, left: true), String(Int(cell.opsPerSecond)).padded(13, left: true),
                          (cell.raw.map { String(Int($0.opsPerSecond)) } ?? "-").padded(8, left: true),
                          String(Int(best.opsPerSecond)).padded(10, left: true), " " + "\(best.peer) \(best.variant)".padded(56),
                          String(format: "%6.2f", cell.opsPerSecond / max(best.opsPerSecond, 1e-9))].joined(separator: " "))
        }
        return lines
    }

    static func memoryLines(_ report: BenchmarkReport) -> [String] {
        var lines: [String] = []
        for result in report.memory {
            lines += ["", "Memory, \(result.database)"]
            for figure in result.allocations {
                lines.append("  \(figure.operation.padded(32)) × \(String(figure.operations).padded(6, left: true)): "
                    + String(format: "%6.1f allocations, %8.0f bytes each", figure.perOperation, figure.bytesPerOperation))
            }
            if !result.allocationsCounted { lines.append("  allocations not counted: the malloc interposer is not active") }
            lines.append("  resident set (MiB) by updates: " + result.resident.map { "\($0.updates): \($0.residentKiB / 1024)" }
                .joined(separator: ", ") + "; peak \(result.peakResidentKiB / 1024) MiB")
            for figure in result.streaming {
                lines.append("  \(figure.method.padded(9)) of \(String(figure.rows).padded(8, left: true)) rows: peak resident set "
                    + "+\(figure.peakGrowthKiB / 1024) MiB, \(Int(figure.rowsPerSecond)) rows/s")
            }
        }
        return lines
    }

    /// Adaptive against the best fixed read-modify-write strategy of each cell (atomic, a single UPDATE computed
    /// by the database, is a different kind of operation and left out); the issue's target is ≥ 0.9.
    static func adaptiveLines(_ report: BenchmarkReport) -> [String] {
        var lines: [String] = []
        let comparisons = StrategyAnalysis.adaptiveComparisons(report.contention)
        for comparison in comparisons {
            if lines.isEmpty {
                lines = ["", "Adaptive against the best fixed read-modify-write strategy of the cell (target ≥ 0.9)",
                         "database  adaptive           T     picks      workload        adaptive ops/s  best fixed  strategy              ratio  rounds"]
            }
            let cell = comparison.adaptive
            lines.append([cell.database.padded(9), cell.strategy.padded(17), String(cell.workers).padded(3, left: true), "  " + cell.picks.padded(10),
                          cell.variation.padded(16), String(Int(cell.opsPerSecond)).padded(14, left: true),
                          String(Int(comparison.best.opsPerSecond)).padded(11, left: true),
                          " " + comparison.best.strategy.padded(20), String(format: "%6.2f", comparison.ratio),
                          " " + (comparison.roundRatioRange ?? "")]
                .joined(separator: " "))
        }
        for database in Set(comparisons.map(\.adaptive.database)).sorted() {
            for strategy in StrategyAnalysis.adaptiveStrategies.sorted() {
                let mine = comparisons.filter { $0.adaptive.database == database && $0.adaptive.strategy == strategy }
                guard !mine.isEmpty else { continue }
                lines.append("  \(database) \(strategy): \(mine.filter { $0.ratio >= 0.9 }.count) of \(mine.count) cells ≥ 0.9")
            }
            let control = StrategyAnalysis.fixedAgainstTheOthers(report.contention, database: database)
            lines.append("  \(database) noise control, each fixed strategy against the best of the other fixed ones: "
                + "\(control.atOrAbove) of \(control.total) ≥ 0.9")
        }
        return lines
    }

    static func batchLines(_ report: BenchmarkReport) -> [String] {
        var lines: [String] = []
        for result in report.batch {
            lines += ["", "Batch job, \(result.database): \(result.rows) rows, chunks of \(result.chunkSize) (rows/s)",
                      "  updateAll (one statement)              \(String(Int(result.updateAllRowsPerSecond)).padded(10, left: true))",
                      "  updateEach                             \(String(Int(result.updateEachRowsPerSecond)).padded(10, left: true))",
                      "  updateEach, \(result.editors) tasks editing meanwhile   \(String(Int(result.withEditorsRowsPerSecond)).padded(10, left: true))"
                        + "  edits \(result.edits) (\(Int(result.editsPerSecond))/s), rows retried \(result.retried), skipped "
                        + "\(result.skippedStale), lost edits \(result.lostEdits), rows missing the job \(result.rowsWithoutTheJob)  \(result.check)"]
        }
        return lines
    }

    static var build: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }

    static func loadAverage() -> [Double] {
        var samples = [Double](repeating: 0, count: 3)
        return getloadavg(&samples, 3) == 3 ? samples : []
    }

    static func postgresSettings(_ target: BenchDatabase) async throws -> (String, [String: String]) {
        let db = try await target.open(connections: 1)
        defer { Task { await db.close() } }
        return try await db.read { tx in
            let version = try tx.fetchValue(String.self, "SELECT current_setting('server_version')") ?? "?"
            var settings: [String: String] = [:]
            for name in ["fsync", "synchronous_commit", "shared_buffers", "max_connections", "default_transaction_isolation"] {
                settings[name] = try tx.fetchValue(String.self, "SELECT current_setting(\(name))")
            }
            return (version, settings)
        }
    }

    static func table(_ report: BenchmarkReport) -> String {
        var lines = ["", "Contention (ops/s committed; latency in µs from the first attempt; wasted: statements beyond an uncontended run's)",
                     "database  strategy            T  picks      workload          ops/s      p50      p99    p99.9  att/commit  max att   wasted  lock wait ms   lost  check    raw ops/s  raw p99  ratio"]
        for cell in report.contention {
            lines.append([
                cell.database.padded(9), cell.strategy.padded(18), String(cell.workers).padded(2, left: true),
                " " + cell.picks.padded(9), cell.variation.padded(14), String(Int(cell.opsPerSecond)).padded(8, left: true),
                String(cell.p50Micros).padded(8, left: true), String(cell.p99Micros).padded(8, left: true),
                String(cell.p999Micros).padded(8, left: true), String(format: "%11.2f", cell.attemptsPerCommit),
                String(cell.maxAttempts).padded(8, left: true), String(cell.wastedStatements).padded(8, left: true),
                String(format: "%13.1f", Double(cell.lockWaitMicros) / 1_000),
                String(cell.lostUpdates).padded(6, left: true), cell.check.padded(5, left: true),
                (cell.raw.map { String(Int($0.opsPerSecond)) } ?? "-").padded(12, left: true),
                (cell.raw.map { String($0.p99Micros) } ?? "-").padded(8, left: true),
                (cell.ratio.map { String(format: "%.2f", $0) } ?? "-").padded(6, left: true),
            ].joined(separator: " "))
        }
        lines += ["", "Overhead against the raw driver (same SQL, same run; median of alternating rounds)",
                  "database  workload   library(async)  library(sync)            raw   ratio  sync ratio  target"]
        for row in report.overhead {
            lines.append([
                row.database.padded(9), row.workload.padded(8), String(Int(row.libraryRate)).padded(15, left: true),
                String(Int(row.librarySyncRate)).padded(14, left: true), String(Int(row.rawRate)).padded(14, left: true),
                String(format: "%7.2f", row.ratio), String(format: "%11.2f", row.syncRatio), "≥ \(row.target)",
            ].joined(separator: " "))
        }
        if let peers = report.peers {
            lines += Self.peerLines(report, peers)
        }
        lines += adaptiveLines(report)
        lines += StrategyAnalysis.crossoverLines(report.contention)
        lines += memoryLines(report)
        lines += batchLines(report)
        return lines.joined(separator: "\n")
    }
}
