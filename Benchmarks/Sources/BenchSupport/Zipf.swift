import Foundation

/// Zipf-distributed ranks in 0..<items, YCSB's ZipfianGenerator (Gray et al., "Quickly generating billion-record
/// synthetic databases", SIGMOD 1994): rank 0 is the most popular; P(rank i) ∝ 1 / (i + 1)^θ.
public struct Zipf: Sendable {
    public let items: Int
    public let theta: Double
    private let alpha: Double
    private let zetaN: Double
    private let eta: Double
    private let halfPowTheta: Double

    /// θ in (0, 1), as YCSB takes it (0.99 is YCSB's default skew).
    public init(items: Int, theta: Double) {
        precondition(items >= 2 && theta > 0 && theta < 1, "Zipf needs at least two items and 0 < θ < 1")
        self.items = items
        self.theta = theta
        var zeta = 0.0
        for rank in 1...items { zeta += 1 / pow(Double(rank), theta) }
        let zeta2 = 1 + 1 / pow(2, theta)
        zetaN = zeta
        alpha = 1 / (1 - theta)
        eta = (1 - pow(2 / Double(items), 1 - theta)) / (1 - zeta2 / zeta)
        halfPowTheta = 1 + pow(0.5, theta)
    }

    public func next(_ random: inout SplitMix) -> Int {
        let u = Double(random.next() >> 11) / Double(1 << 53)
        let uz = u * zetaN
        if uz < 1 { return 0 }
        if uz < halfPowTheta { return 1 }
        let rank = Int(Double(items) * pow(eta * u - eta + 1, alpha))
        return min(max(rank, 0), items - 1)
    }
}
