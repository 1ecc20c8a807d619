/// The workloads of a contention run. The full grid is a plane and four slices:
///
/// - the plane, every strategy: workers T ∈ {1, 2, 4, 8, 16, 32, 64} × picks ∈ {H = 1, 4, 16, 100, 1000,
///   Zipf 0.8, Zipf 0.99 over 100,000 rows}, one row per operation, no think time, read committed, closed loop;
/// - slices on T ∈ {2, 8, 32} × picks ∈ {H = 1, H = 16, Zipf 0.99}, each changing one variable: k = 4 rows per
///   transaction (H = 4 in place of H = 1), 1 ms of think time, SERIALIZABLE (PostgreSQL only), open loop at a fixed arrival rate.
///
/// `--quick` keeps T ∈ {2, 8} × H ∈ {1, 100} on the plane and each slice at T = 8, H = 16. Any of `--workers`,
/// `--picks`, `--rows-per-tx`, `--think-us`, `--isolation` or `--open-loop-rate` given instead runs exactly the
/// cartesian product of the values given (the rest at their base value).
struct GridPlan {
    var workers: [Int]?
    var picks: [RowPicks]?
    var rowsPerTransaction: [Int]?
    var thinkMicros: [Int]?
    var isolations: [Isolation]?
    var openLoopRates: [Int]?
    var quick: Bool

    var isCustom: Bool {
        workers != nil || picks != nil || rowsPerTransaction != nil || thinkMicros != nil || isolations != nil
            || openLoopRates != nil
    }

    static let zipfRows = 100_000

    /// The workloads for `database`, in the order they run: the plane first, then each slice.
    func workloads(for database: BenchDatabase) -> [Workload] {
        let postgres = database.name != "sqlite"
        if isCustom {
            let arrivals: [Arrival] = openLoopRates.map { $0.map { .open(perSecond: $0) } } ?? [.closed]
            let isolations = postgres ? (self.isolations ?? [.readCommitted]) : [.readCommitted]
            var result: [Workload] = []
            for arrival in arrivals {
                for isolation in isolations {
                    for think in thinkMicros ?? [0] {
                        for rows in rowsPerTransaction ?? [1] {
                            for picks in picks ?? [.hot(1), .hot(100)] {
                                for count in workers ?? [2, 8, 32] {
                                    result.append(Workload(workers: count, picks: picks, rowsPerTransaction: rows,
                                                           thinkMicros: think, isolation: isolation, arrival: arrival))
                                }
                            }
                        }
                    }
                }
            }
            return result
        }
        let planeWorkers = quick ? [2, 8] : [1, 2, 4, 8, 16, 32, 64]
        let planePicks: [RowPicks] = quick
            ? [.hot(1), .hot(100)]
            : [.hot(1), .hot(4), .hot(16), .hot(100), .hot(1_000), .zipf(theta: 0.8, rows: Self.zipfRows),
               .zipf(theta: 0.99, rows: Self.zipfRows)]
        var result: [Workload] = []
        for picks in planePicks {
            for count in planeWorkers { result.append(Workload(workers: count, picks: picks)) }
        }
        let sliceWorkers = quick ? [8] : [2, 8, 32]
        let slicePicks: [RowPicks] = quick ? [.hot(16)] : [.hot(1), .hot(16), .zipf(theta: 0.99, rows: Self.zipfRows)]
        var slices: [(inout Workload) -> Void] = [
            { $0.rowsPerTransaction = 4 },
            { $0.thinkMicros = 1_000 },
            { $0.arrival = .open(perSecond: postgres ? 1_000 : 4_000) },
        ]
        if postgres { slices.insert({ $0.isolation = .serializable }, at: 2) }
        for (index, slice) in slices.enumerated() {
            // k rows out of a hot set of one would be one row: the k = 4 slice draws its hottest set from H = 4.
            let picksOfSlice = index == 0 ? slicePicks.map { $0 == .hot(1) ? RowPicks.hot(4) : $0 } : slicePicks
            for picks in picksOfSlice {
                for count in sliceWorkers {
                    var workload = Workload(workers: count, picks: picks)
                    slice(&workload)
                    result.append(workload)
                }
            }
        }
        return result
    }
}
