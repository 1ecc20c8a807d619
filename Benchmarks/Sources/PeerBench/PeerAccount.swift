/// The row every workload reads and writes, decoded by each peer its own fastest way.
struct PeerAccount: Sendable, Equatable {
    var id: Int64
    var owner: String
    var balance: Int64
    var note: String?
    var version: Int64
}

/// The values row N of a table gets, the same for both peers and as lock-bench fills its own table.
enum PeerRows {
    static func owner(_ number: Int) -> String { "owner-\(number)" }

    /// Every third row has no note, so NULL handling is part of every decode and bind.
    static func note(_ number: Int) -> String? { number.isMultiple(of: 3) ? nil : "note \(number)" }
}
