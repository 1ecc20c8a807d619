import BenchSupport
import ArgumentParser
import Foundation

/// lock-bench's workloads through the two Swift peers, GRDB and PostgresNIO, each written its fastest idiomatic
/// way, so the library's figures can be read against theirs. Prints one JSON document on standard output;
/// progress goes to standard error.
@main
struct PeerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer-bench",
        abstract: "Runs lock-bench's overhead workloads and contention grid through GRDB and PostgresNIO.")

    enum DatabaseChoice: String, ExpressibleByArgument, CaseIterable {
        case sqlite, postgres, all
    }

    @Option(help: "Which databases to run: sqlite (GRDB), postgres (PostgresNIO) or all.")
    var database: DatabaseChoice = .all

    @Option(name: .customLong("sqlite-path"),
            help: "The SQLite file to use (its table peer_accounts is replaced). Default: a temporary file, removed afterwards.")
    var sqlitePath: String?

    @Option(name: .customLong("postgres-url"),
            help: "A PostgreSQL server (postgres://user@host:port/db). Default: VERSIONED_ORM_POSTGRES_URL, else a throwaway cluster.")
    var postgresURL: String?

    @Flag(help: "lock-bench's reduced grid and counts.")
    var quick = false

    @Option(name: .customLong("workload"), help: "Run only these overhead workloads (W1, W2, W3, W3B); repeatable.")
    var workloads: [String] = []

    @Flag(help: "Skip the contention grid.")
    var overheadOnly = false

    @Option(help: "Rounds per overhead variant, the median reported. Default: 9, or 3 with --quick.")
    var rounds: Int?

    @Flag(help: "Run what lock-bench asks on standard input, one round or cell at a time, for one --database.")
    var serve = false

    func validate() throws {
        for workload in workloads where PeerWorkload(rawValue: workload.uppercased()) == nil {
            throw ValidationError("unknown workload \(workload): use W1, W2, W3 or W3B")
        }
        if let rounds, rounds < 1 { throw ValidationError("--rounds must be at least 1") }
        if serve && database == .all { throw ValidationError("--serve serves one database: pass --database sqlite or postgres") }
    }

    func run() async throws {
        #if DEBUG
        warn("warning: this is a debug build; measure with swift run -c release")
        #endif
        let selected = workloads.isEmpty
            ? Set(PeerWorkload.allCases) : Set(workloads.compactMap { PeerWorkload(rawValue: $0.uppercased()) })
        let plan = OverheadPlan(quick: quick, rounds: rounds, workloads: selected)
        let grid = PeerContention(workerCounts: quick ? [2, 8] : [2, 8, 32], hotRowCounts: [1, 100],
                                  increments: quick ? 600 : 4_000)
        var report = PeerReport(peers: [], contention: [])

        if database != .postgres {
            let path: String
            var temporary: URL?
            defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
            if let sqlitePath {
                path = sqlitePath
            } else {
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("peer-bench-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                temporary = directory
                path = directory.appendingPathComponent("peer.sqlite").path
            }

            if serve {
                let peer = try GRDBPeer(path: path)
                // Its own file, so a contention cell's fresh table never touches the overhead peer's connections.
                let contention = GRDBContention(path: path + "-contention")
                try await PeerServer(plan: plan, overheadPeer: peer, contentionPeer: contention).serve(progress: warn)
                try peer.close()
                return
            }
            if !overheadOnly {
                warn("GRDB \(GRDBPeer.packageVersion), sqlite: contention grid (\(grid.increments) increments per cell)")
                report.contention += try await grid.run(GRDBContention(path: path), progress: warn)
            }
            warn("GRDB \(GRDBPeer.packageVersion), sqlite: overhead workloads")
            let peer = try GRDBPeer(path: path)
            report.peers += try await PeerOverhead(plan: plan).run(peer, progress: warn)
            try peer.close()
        }

        if database != .sqlite {
            var throwaway: ThrowawayPostgres?
            defer { throwaway?.stop() }
            let url: String
            if let given = postgresURL ?? ProcessInfo.processInfo.environment["VERSIONED_ORM_POSTGRES_URL"], !given.isEmpty {
                url = given
            } else {
                warn("Starting a throwaway PostgreSQL cluster …")
                let server = try ThrowawayPostgres()
                throwaway = server
                url = server.url
            }
            let endpoint = try PostgresEndpoint(url: url)

            if serve {
                try await PostgresNIOPeer.withPeer(endpoint) { peer in
                    try await PeerServer(plan: plan, overheadPeer: peer, contentionPeer: PostgresNIOContention(endpoint: endpoint))
                        .serve(progress: warn)
                }
                return
            }
            if !overheadOnly {
                warn("PostgresNIO \(PostgresNIOPeer.packageVersion), postgres at \(endpoint.description): contention grid "
                    + "(\(grid.increments) increments per cell)")
                report.contention += try await grid.run(PostgresNIOContention(endpoint: endpoint), progress: warn)
            }
            warn("PostgresNIO \(PostgresNIOPeer.packageVersion), postgres: overhead workloads")
            report.peers += try await PostgresNIOPeer.withPeer(endpoint) { peer in
                try await PeerOverhead(plan: plan).run(peer, progress: warn)
            }
        }

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
        if report.contention.contains(where: { $0.check == "FAIL" }) {
            throw BenchError("an invariant check failed: a strategy lost, double-counted or failed an increment")
        }
    }
}
