import BenchSupport
/// The overhead workloads, named as lock-bench names them.
enum PeerWorkload: String, CaseIterable, Sendable {
    case w1 = "W1"
    case w2 = "W2"
    case w3 = "W3"
    case w3b = "W3B"

    var unit: String { self == .w1 ? "ops/s" : "rows/s" }
}

/// How much work each workload does, with lock-bench's counts, so a peer's rate sits next to the library's.
struct OverheadPlan: Sendable {
    let saves: Int
    let fetches: Int
    let inserts: Int
    let rounds: Int
    let workloads: Set<PeerWorkload>

    static let tableRows = 10_000
    /// The rows of one W3B statement, as lock-bench's batch insert sends them.
    static let batchRows = 1_000

    init(quick: Bool, rounds: Int?, workloads: Set<PeerWorkload>) {
        saves = quick ? 2_000 : 20_000
        fetches = quick ? 5 : 50
        inserts = quick ? 2_000 : 10_000
        self.rounds = rounds ?? (quick ? 3 : 9)
        self.workloads = workloads
    }

    /// What one timed run performs: saves (W1), whole-table fetches (W2) or inserted rows (W3, W3B). W1 and W2
    /// split their total over the rounds, W3 and W3B insert the full count every round, as lock-bench does.
    func count(_ workload: PeerWorkload) -> Int {
        switch workload {
        case .w1: max(1, saves / rounds)
        case .w2: max(1, fetches / rounds)
        case .w3: inserts
        // A whole number of batches, so every statement has the same shape.
        case .w3b: max(1, inserts / Self.batchRows) * Self.batchRows
        }
    }

    /// The units the rate is expressed in for one timed run.
    func units(_ workload: PeerWorkload) -> Int {
        workload == .w2 ? count(workload) * Self.tableRows : count(workload)
    }
}

/// One way a peer runs a workload: performs `count` units (see ``OverheadPlan/count(_:)``); `seed` picks W1's rows.
struct OverheadVariant {
    let name: String
    let run: (_ count: Int, _ seed: UInt64) async throws -> Void
}

/// A peer as the overhead runner drives it.
protocol OverheadPeer {
    var peer: String { get }
    var version: String { get }
    var database: String { get }
    /// Replaces the table with `rows` rows of balance 0, version 1; returns their keys in order.
    func resetTable(rows: Int) async throws -> [Int64]
    /// Runs untimed before every timed run: empties the table for the insert workloads, settles SQLite's log.
    func prepare(for workload: PeerWorkload) async throws
    func variants(for workload: PeerWorkload, ids: [Int64]) -> [OverheadVariant]
}

/// Runs every variant of every selected workload in alternating rounds, so drift in the machine affects all
/// variants alike, and reports each variant's median rate.
struct PeerOverhead {
    let plan: OverheadPlan

    func run(_ peer: some OverheadPeer, progress: (String) -> Void) async throws -> [PeerResult] {
        let ids = try await peer.resetTable(rows: OverheadPlan.tableRows)
        var results: [PeerResult] = []
        for workload in PeerWorkload.allCases where plan.workloads.contains(workload) {
            let variants = peer.variants(for: workload, ids: ids)
            var rates = [[Double]](repeating: [], count: variants.count)
            for round in 0..<plan.rounds {
                for (index, rate) in try await runRound(peer, workload, variants: variants, round: round).enumerated() {
                    rates[index].append(rate)
                }
            }
            for (index, variant) in variants.enumerated() {
                let result = PeerResult(peer: peer.peer, version: peer.version, database: peer.database,
                                        workload: workload.rawValue, variant: variant.name,
                                        rate: median(rates[index]), unit: workload.unit)
                let rate = String(Int(result.rate)).padded(9, left: true)
                progress("  \(result.peer) \(result.database) \(result.workload.padded(3)) \(variant.name.padded(52)) \(rate) \(result.unit)")
                results.append(result)
            }
        }
        return results
    }

    /// Every variant once, each after the peer's untimed preparation: their rates in the order of `variants`.
    func runRound(_ peer: some OverheadPeer, _ workload: PeerWorkload, variants: [OverheadVariant],
                  round: Int) async throws -> [Double] {
        var rates: [Double] = []
        for variant in variants {
            try await peer.prepare(for: workload)
            let started = ContinuousClock.now
            try await variant.run(plan.count(workload), UInt64(round + 1))
            rates.append(Double(plan.units(workload)) / max(started.duration(to: .now).seconds, 1e-9))
        }
        return rates
    }
}
