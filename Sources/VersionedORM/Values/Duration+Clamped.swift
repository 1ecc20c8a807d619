/// Durations as the numbers C APIs and timers take, saturating instead of trapping: `.seconds(Int64.max)` is a
/// common way to say "no limit", and multiplying it into milliseconds would overflow.
extension Duration {
    /// Whole milliseconds, rounded down, in `0...Int64.max`.
    package var clampedMilliseconds: Int64 { clamped(unitsPerSecond: 1_000) }

    /// Whole nanoseconds, rounded down, in `0...Int64.max`.
    package var clampedNanoseconds: Int64 { clamped(unitsPerSecond: 1_000_000_000) }

    /// Seconds as a Double, at least 0 and at most about 31 years, which is as far as a timer needs to look.
    package var clampedSeconds: Double {
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return min(max(seconds, 0), 1e9)
    }

    private func clamped(unitsPerSecond: Int64) -> Int64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: unitsPerSecond)
        if overflow { return Int64.max }
        let (total, overflowAdding) = whole.addingReportingOverflow(attoseconds / (1_000_000_000_000_000_000 / unitsPerSecond))
        return overflowAdding ? Int64.max : total
    }
}
