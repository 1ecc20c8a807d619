import Foundation

extension Duration {
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// Whole microseconds, the unit the latency histograms record.
    public var micros: UInt64 {
        UInt64(max(0, components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000))
    }
}

/// The median, so one round disturbed by the machine does not move a figure.
public func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    let middle = sorted.count / 2
    return sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
}

extension String {
    public func padded(_ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - count))
        return left ? fill + self : self + fill
    }
}

/// Progress goes to standard error: standard output carries only the tables or the JSON document.
public func warn(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
