import BenchSupport

/// Draws the rows of each operation, the same sequence for the library and the raw driver from the same seed:
/// `rowsPerTransaction` distinct keys, in key order: every strategy writes its rows in that order, so two
/// operations never deadlock (pessimistic locking in key order; optimistic and atomic writes take row locks too).
struct RowPicker {
    private let keys: [Int64]
    private let zipf: Zipf?
    private let hotRows: Int
    private let count: Int
    private var random: SplitMix

    /// `keys`: the table's keys in insertion order (rank 0 first).
    init(picks: RowPicks, keys: [Int64], rowsPerTransaction: Int, seed: UInt64) {
        self.keys = keys
        switch picks {
        case .hot(let rows):
            hotRows = min(rows, keys.count)
            zipf = nil
        case .zipf(let theta, let rows):
            hotRows = min(rows, keys.count)
            zipf = Zipf(items: hotRows, theta: theta)
        }
        count = Self.rowsPerOperation(picks: picks, keys: keys, rowsPerTransaction: rowsPerTransaction)
        random = SplitMix(seed: seed)
    }

    /// The rows each operation really touches: `rowsPerTransaction`, but never more than the rows it draws from.
    static func rowsPerOperation(picks: RowPicks, keys: [Int64], rowsPerTransaction: Int) -> Int {
        let population: Int
        switch picks {
        case .hot(let rows), .zipf(_, let rows): population = min(rows, keys.count)
        }
        return min(rowsPerTransaction, population)
    }

    mutating func next() -> [Int64] {
        var picked: [Int64] = []
        picked.reserveCapacity(count)
        while picked.count < count {
            let index = zipf.map { $0.next(&random) } ?? Int(random.next() % UInt64(hotRows))
            let key = keys[index]
            if !picked.contains(key) { picked.append(key) }
        }
        return picked.count > 1 ? picked.sorted() : picked
    }

    /// The seed of worker `worker`: the same for the library's run and the raw driver's.
    static func seed(worker: Int) -> UInt64 { UInt64(worker + 1) &* 7919 }
}
