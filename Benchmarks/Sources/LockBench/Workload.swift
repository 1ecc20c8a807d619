import Foundation

/// Which rows an operation touches: uniformly among the first `H` rows of the table, or Zipf-skewed over a large
/// table as YCSB draws them (rank 1 the hottest row).
enum RowPicks: Sendable, Hashable {
    case hot(Int)
    case zipf(theta: Double, rows: Int)

    /// The table a cell of these picks runs on: 1,000 rows for a hot set (as the lab always had), the Zipf's own
    /// population otherwise.
    var tableRows: Int {
        switch self {
        case .hot(let rows): max(rows, 1_000)
        case .zipf(_, let rows): rows
        }
    }

    /// "H=16", "zipf 0.99": the label tables, the report and `--picks` use.
    var label: String {
        switch self {
        case .hot(let rows): "H=\(rows)"
        case .zipf(let theta, _): "zipf \(theta)"
        }
    }

    /// The uniform hot set that collides as often: 1 ÷ Σ pᵢ², the chance that two picks land on the same row.
    /// It puts Zipf picks among the hot-set sizes (Zipf 0.99 over 100,000 rows collides like H ≈ 90), so heatmap
    /// columns and crossovers read from the least to the most contended.
    var effectiveHotRows: Double {
        switch self {
        case .hot(let rows):
            return Double(rows)
        case .zipf(let theta, let rows):
            var weights = 0.0, squares = 0.0
            for rank in 1...max(rows, 1) {
                let weight = 1 / pow(Double(rank), theta)
                weights += weight
                squares += weight * weight
            }
            return weights * weights / squares
        }
    }

    /// Parses "1", "H=16", "zipf0.99" or "zipf 0.8" (Zipf over `zipfRows` rows).
    init?(parsing text: String, zipfRows: Int) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed.hasPrefix("zipf") {
            guard let theta = Double(trimmed.dropFirst(4).trimmingCharacters(in: .whitespaces)), theta > 0, theta < 1 else { return nil }
            self = .zipf(theta: theta, rows: zipfRows)
        } else {
            let digits = trimmed.hasPrefix("h=") ? String(trimmed.dropFirst(2)) : trimmed
            guard let rows = Int(digits), rows >= 1 else { return nil }
            self = .hot(rows)
        }
    }
}

/// How operations arrive: closed loop (each worker starts its next operation when the last one finished) or
/// open loop at a fixed total rate, where latency counts from the operation's intended start, so a queue that
/// builds up shows in the percentiles instead of slowing the clients down (coordinated omission).
enum Arrival: Sendable, Hashable {
    case closed
    case open(perSecond: Int)

    var label: String {
        switch self {
        case .closed: "closed"
        case .open(let rate): "open \(rate)/s"
        }
    }

    /// When worker `worker` of `workers` should start its `index`-th operation, from the start line: the total
    /// rate split evenly, workers interleaved.
    func intendedStart(worker: Int, of workers: Int, index: Int) -> Duration? {
        guard case .open(let rate) = self, rate > 0 else { return nil }
        let operation = index * workers + worker
        return .nanoseconds(Int64((Double(operation) / Double(rate) * 1e9).rounded()))
    }
}

/// PostgreSQL's isolation for every transaction and autocommitted statement of a cell (library and raw alike, as
/// `default_transaction_isolation`); SQLite is always serializable and runs only the default.
enum Isolation: String, Sendable, Hashable, CaseIterable {
    case readCommitted = "read-committed"
    case serializable

    var postgresSetting: String {
        switch self {
        case .readCommitted: "read committed"
        case .serializable: "serializable"
        }
    }
}

/// One cell's workload, apart from the strategy: who contends, on which rows, how much each operation touches,
/// how long it holds what it read, and how operations arrive.
struct Workload: Sendable, Hashable {
    var workers: Int
    var picks: RowPicks
    /// Distinct rows each operation increments in one transaction (1: one row, `db.modify`).
    var rowsPerTransaction: Int = 1
    /// Client work between reading the rows and writing them, inside the operation (the lock or the read is held).
    var thinkMicros: Int = 0
    var isolation: Isolation = .readCommitted
    var arrival: Arrival = .closed

    /// The plane the heatmap is drawn on: one row, no think time, the default isolation, closed loop.
    var isBasePlane: Bool {
        rowsPerTransaction == 1 && thinkMicros == 0 && isolation == .readCommitted && arrival == .closed
    }

    /// What sets this cell apart from the base plane, for tables: "k=4", "think 1 ms", "serializable", "open 1000/s".
    var variation: String {
        var parts: [String] = []
        if rowsPerTransaction != 1 { parts.append("k=\(rowsPerTransaction)") }
        if thinkMicros != 0 { parts.append(thinkMicros % 1_000 == 0 ? "think \(thinkMicros / 1_000) ms" : "think \(thinkMicros) µs") }
        if isolation != .readCommitted { parts.append(isolation.rawValue) }
        if arrival != .closed { parts.append(arrival.label) }
        return parts.isEmpty ? "base" : parts.joined(separator: ", ")
    }
}
