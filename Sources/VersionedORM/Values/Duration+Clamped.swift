/// Durations as the numbers C APIs and timers take, saturating instead of trapping: `.seconds(Int64.max)` is a
/// common way to say "no limit", and multiplying it into milliseconds would overflow.
extension Duration {
    /// Whole milliseconds, rounded down, in `0...Int64.max`.
    package var clampedMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (millis, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return Int64.max }
        let (total, overflowAdding) = millis.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        return overflowAdding ? Int64.max : total
    }

    /// Whole nanoseconds, rounded down, in `0...Int64.max`.
    package var clampedNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (nanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return Int64.max }
        let (total, overflowAdding) = nanos.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflowAdding ? Int64.max : total
    }

    /// Seconds as a Double, at least 0 and at most about 31 years, which is as far as a timer needs to look.
    package var clampedSeconds: Double {
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return min(max(seconds, 0), 1e9)
    }
}
