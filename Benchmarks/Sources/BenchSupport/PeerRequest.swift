/// What lock-bench asks a serving peer-bench (`peer-bench --serve`) to run, one JSON document per line on the
/// child's standard input; the reply is one ``PeerReport`` per line on its standard output. Asking per round and
/// per cell puts each peer run right beside the library's and the raw driver's of the same round or cell.
public struct PeerRequest: Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        /// One round of an overhead workload, every variant once: ``PeerReport/peers`` holds that round's rates.
        case overhead
        /// One contention cell, every case of the strategy: ``PeerReport/contention`` holds the cells.
        case contention
    }

    public var kind: Kind
    /// W1, W2, W3 or W3B, for ``Kind/overhead``.
    public var workload: String?
    /// The round, from 0; it seeds W1's choice of rows as lock-bench's round does.
    public var round: Int?
    /// For ``Kind/contention``: lock-bench's strategy name, the cell's workers, hot rows and increments.
    public var strategy: String?
    public var workers: Int?
    public var hotRows: Int?
    public var increments: Int?

    public static func overhead(workload: String, round: Int) -> PeerRequest {
        PeerRequest(kind: .overhead, workload: workload, round: round)
    }

    public static func contention(strategy: String, workers: Int, hotRows: Int, increments: Int) -> PeerRequest {
        PeerRequest(kind: .contention, strategy: strategy, workers: workers, hotRows: hotRows, increments: increments)
    }

    private init(kind: Kind, workload: String? = nil, round: Int? = nil, strategy: String? = nil, workers: Int? = nil,
                 hotRows: Int? = nil, increments: Int? = nil) {
        (self.kind, self.workload, self.round, self.strategy) = (kind, workload, round, strategy)
        (self.workers, self.hotRows, self.increments) = (workers, hotRows, increments)
    }
}
