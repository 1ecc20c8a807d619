import VersionedORMMacros

/// The row every workload reads and writes.
@Model(table: "accounts")
struct BenchAccount {
    let id: Int64?
    var owner: String
    var balance: Int64
    var note: String?
    var version: Int64 = 0
}

/// The raw baselines decode into this: the same fields, no library.
struct RawAccount {
    var id: Int64
    var owner: String
    var balance: Int64
    var note: String?
    var version: Int64
}
