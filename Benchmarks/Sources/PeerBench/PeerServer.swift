import BenchSupport
import Foundation

/// `peer-bench --serve`: runs what lock-bench asks, one ``PeerRequest`` per line on standard input, and answers
/// each with one ``PeerReport`` line on standard output, until standard input ends. lock-bench asks right after
/// its own round or cell, so the peer runs in the same minute of the machine's drift as the library.
struct PeerServer<Overhead: OverheadPeer, Contention: ContentionPeer> {
    let plan: OverheadPlan
    let overheadPeer: Overhead
    let contentionPeer: Contention

    func serve(progress: (String) -> Void) async throws {
        let decoder = JSONDecoder()
        let encoder = JSONEncoder()
        // The overhead table is filled on the first overhead request, and again after a contention cell, whose
        // fresh tables may be the same table.
        var overheadIDs: [Int64]?
        while let line = try await onThread({ readLine() }) {
            guard !line.isEmpty else { continue }
            let request = try decoder.decode(PeerRequest.self, from: Data(line.utf8))
            var reply = PeerReport(peers: [], contention: [])
            switch request.kind {
            case .overhead:
                guard let name = request.workload, let workload = PeerWorkload(rawValue: name.uppercased()),
                      let round = request.round else {
                    throw BenchError("an overhead request needs a workload (W1, W2, W3, W3B) and a round: \(line)")
                }
                let ids: [Int64]
                if let overheadIDs { ids = overheadIDs } else {
                    ids = try await overheadPeer.resetTable(rows: OverheadPlan.tableRows)
                    overheadIDs = ids
                }
                let variants = overheadPeer.variants(for: workload, ids: ids)
                let rates = try await PeerOverhead(plan: plan).runRound(overheadPeer, workload, variants: variants, round: round)
                reply.peers = zip(variants, rates).map { variant, rate in
                    PeerResult(peer: overheadPeer.peer, version: overheadPeer.version, database: overheadPeer.database,
                               workload: workload.rawValue, variant: variant.name, rate: rate, unit: workload.unit)
                }
            case .contention:
                guard let strategy = request.strategy, let workers = request.workers, let hotRows = request.hotRows,
                      let increments = request.increments, workers > 0, hotRows > 0, increments > 0 else {
                    throw BenchError("a contention request needs a strategy and positive workers, hot rows and increments: \(line)")
                }
                overheadIDs = nil
                let grid = PeerContention(workerCounts: [workers], hotRowCounts: [hotRows], increments: increments)
                reply.contention = try await grid.runCells(contentionPeer, strategy: strategy, workers: workers,
                                                           hotRows: hotRows, progress: progress)
            }
            var data = try encoder.encode(reply)
            data.append(UInt8(ascii: "\n"))
            FileHandle.standardOutput.write(data)
        }
    }
}
