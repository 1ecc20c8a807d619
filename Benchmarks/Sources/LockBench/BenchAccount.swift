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

/// A small deterministic generator, so every run draws the same rows.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
