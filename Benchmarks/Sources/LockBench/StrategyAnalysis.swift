import Foundation

/// What a grid says: the winning strategy of each cell, where the winner changes (the crossover), and how
/// adaptive does against the best fixed strategy. The report, the tables and `lock-bench advise` read the same.
enum StrategyAnalysis {
    /// The read-modify-write strategies an application chooses between with a fixed setting. Atomic (one UPDATE
    /// computed by the database) fits only changes SQL can express, and naive loses updates; adaptive is judged
    /// against these.
    static let fixedStrategies: Set<String> = ["optimistic", "optimistic-backoff", "optimistic-default", "pessimistic", "merge"]

    /// Optimistic variants are one family (they differ only in their retry policy); pessimistic is the other.
    static func family(_ strategy: String) -> String {
        strategy == "pessimistic" ? "pessimistic" : "optimistic"
    }

    struct Winner: Sendable {
        let cell: ContentionResult
        /// The best cell of another strategy, if any ran.
        let runnerUp: ContentionResult?
        /// winner ÷ runner-up − 1.
        var margin: Double? { runnerUp.map { cell.opsPerSecond / max($0.opsPerSecond, 1e-9) - 1 } }
    }

    /// Cells of the same database and workload, which compare with each other.
    private static func groups(_ cells: [ContentionResult]) -> [String: [ContentionResult]] {
        Dictionary(grouping: cells) { "\($0.database)|\($0.workers)|\($0.picks)|\($0.variation)" }
    }

    /// Per workload, the fixed strategy with the most committed operations per second (among those whose check
    /// passed) and the runner-up.
    static func winners(_ cells: [ContentionResult]) -> [Winner] {
        groups(cells.filter { fixedStrategies.contains($0.strategy) && $0.check == "PASS" }).values.compactMap { group in
            let ranked = group.sorted { $0.opsPerSecond > $1.opsPerSecond }
            guard let best = ranked.first else { return nil }
            return Winner(cell: best, runnerUp: ranked.dropFirst().first)
        }.sorted { ($0.cell.database, $0.cell.variation, $0.cell.workers, $0.cell.effectiveHotRows)
            < ($1.cell.database, $1.cell.variation, $1.cell.workers, $1.cell.effectiveHotRows) }
    }

    struct AdaptiveComparison: Sendable {
        let adaptive: ContentionResult
        let best: ContentionResult
        var ratio: Double { adaptive.opsPerSecond / max(best.opsPerSecond, 1e-9) }

        /// adaptive ÷ best fixed within each round, when both ran the same rounds: the rounds ran interleaved, so
        /// each pair shares the machine's state at that time, and their spread is the comparison's uncertainty.
        var roundRatios: [Double]? {
            guard let adaptiveRounds = adaptive.roundsOpsPerSecond, let bestRounds = best.roundsOpsPerSecond,
                  adaptiveRounds.count == bestRounds.count else { return nil }
            return zip(adaptiveRounds, bestRounds).map { $0 / max($1, 1e-9) }
        }

        /// "0.84–1.02" over the rounds, or nil for a single round.
        var roundRatioRange: String? {
            guard let ratios = roundRatios, let low = ratios.min(), let high = ratios.max() else { return nil }
            return String(format: "%.2f–%.2f", low, high)
        }
    }

    static let adaptiveStrategies = Set(Strategy.allCases.filter(\.isAdaptive).map(\.rawValue))

    /// What the adaptive target means on this machine: each fixed strategy set against the best of the other
    /// fixed ones in the same cell, as adaptive is against all of them. Several fixed strategies send the same SQL
    /// (every optimistic variant in a cell that never conflicts), so the share of these at ≥ 0.9 is what noise
    /// alone lets any strategy reach; an adaptive share well below it would be a defect, one near it is not.
    static func fixedAgainstTheOthers(_ cells: [ContentionResult], database: String) -> (atOrAbove: Int, total: Int) {
        var counts = (atOrAbove: 0, total: 0)
        for group in groups(cells.filter { $0.database == database && fixedStrategies.contains($0.strategy) && $0.check == "PASS" }).values {
            for cell in group {
                guard let others = group.filter({ $0.strategy != cell.strategy }).map(\.opsPerSecond).max() else { continue }
                counts.total += 1
                if cell.opsPerSecond / max(others, 1e-9) >= 0.9 { counts.atOrAbove += 1 }
            }
        }
        return counts
    }

    static func adaptiveComparisons(_ cells: [ContentionResult]) -> [AdaptiveComparison] {
        let winnersByWorkload = Dictionary(winners(cells).map { ("\($0.cell.database)|\($0.cell.workers)|\($0.cell.picks)|\($0.cell.variation)", $0.cell) },
                                           uniquingKeysWith: { first, _ in first })
        return cells.filter { adaptiveStrategies.contains($0.strategy) }.compactMap { cell in
            winnersByWorkload["\(cell.database)|\(cell.workers)|\(cell.picks)|\(cell.variation)"].map { AdaptiveComparison(adaptive: cell, best: $0) }
        }
    }

    /// The crossovers of the base plane in words, one sentence per database and worker count:
    /// "postgres, T = 8: optimistic overtakes pessimistic from H=16 (less contended picks on)".
    static func crossovers(_ cells: [ContentionResult]) -> [String] {
        let plane = winners(cells.filter(\.isBasePlane))
        var sentences: [String] = []
        for database in ["sqlite", "postgres", "postgres-unnamed", "pgbouncer"] {
            let rows = plane.filter { $0.cell.database == database }
            for workers in Set(rows.map(\.cell.workers)).sorted() {
                // From the most contended picks to the least.
                let sameWorkers: [Winner] = rows.filter { $0.cell.workers == workers }
                let line = sameWorkers.sorted { (a: Winner, b: Winner) in a.cell.effectiveHotRows < b.cell.effectiveHotRows }
                guard let first = line.first else { continue }
                var phrases: [String] = []
                var current = family(first.cell.strategy)
                for winner in line.dropFirst() where family(winner.cell.strategy) != current {
                    let next = family(winner.cell.strategy)
                    phrases.append("\(next) overtakes \(current) from \(winner.cell.picks)")
                    current = next
                }
                let label = "\(database), T = \(workers): "
                if phrases.isEmpty {
                    sentences.append(label + "\(current) wins at every row pick (\(line.map(\.cell.picks).joined(separator: ", ")))")
                } else {
                    sentences.append(label + "\(family(first.cell.strategy)) wins at \(first.cell.picks); " + phrases.joined(separator: "; "))
                }
            }
        }
        return sentences
    }

    static func crossoverLines(_ cells: [ContentionResult]) -> [String] {
        let sentences = crossovers(cells)
        guard !sentences.isEmpty else { return [] }
        return ["", "Crossovers (winning family of the fixed read-modify-write strategies, most contended picks first)"]
            + sentences.map { "  " + $0 }
    }
}
