import CoreMetrics
import Synchronization

/// The library's swift-metrics, summed in process, so each cell reports what an application's dashboard would
/// show for it: conflicts, retries, lock-wait time, lock timeouts and the adaptive strategy's attempts by mode.
/// lock-bench bootstraps it once; `snapshot()` before and after a cell gives the cell's share.
final class BenchMetrics: MetricsFactory {
    static let shared = BenchMetrics()

    struct Totals: Sendable {
        var counters: [String: Int64] = [:]
        var timerNanoseconds: [String: Int64] = [:]
        var timerCounts: [String: Int64] = [:]

        static func - (after: Totals, before: Totals) -> Totals {
            var difference = Totals()
            for (key, value) in after.counters { difference.counters[key] = value - (before.counters[key] ?? 0) }
            for (key, value) in after.timerNanoseconds { difference.timerNanoseconds[key] = value - (before.timerNanoseconds[key] ?? 0) }
            for (key, value) in after.timerCounts { difference.timerCounts[key] = value - (before.timerCounts[key] ?? 0) }
            return difference
        }
    }

    private let totals = Mutex(Totals())

    func snapshot() -> Totals { totals.withLock { $0 } }

    /// The key a metric is summed under: its label, plus the adaptive strategy's `mode` (the other dimensions,
    /// model and reason, are the same for every operation of a cell).
    fileprivate static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        guard let mode = dimensions.first(where: { $0.0 == "mode" })?.1 else { return label }
        return "\(label).\(mode)"
    }

    fileprivate func add(counter key: String, _ amount: Int64) {
        totals.withLock { $0.counters[key, default: 0] += amount }
    }

    fileprivate func add(timer key: String, nanoseconds: Int64) {
        totals.withLock {
            $0.timerNanoseconds[key, default: 0] += nanoseconds
            $0.timerCounts[key, default: 0] += 1
        }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        SummedCounter(key: Self.key(label, dimensions), factory: self)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        Ignored()
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        SummedTimer(key: Self.key(label, dimensions), factory: self)
    }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}

private final class SummedCounter: CounterHandler {
    let key: String
    let factory: BenchMetrics
    init(key: String, factory: BenchMetrics) {
        self.key = key
        self.factory = factory
    }
    func increment(by amount: Int64) { factory.add(counter: key, amount) }
    func reset() {}
}

private final class SummedTimer: TimerHandler {
    let key: String
    let factory: BenchMetrics
    init(key: String, factory: BenchMetrics) {
        self.key = key
        self.factory = factory
    }
    func recordNanoseconds(_ duration: Int64) { factory.add(timer: key, nanoseconds: duration) }
}

private final class Ignored: RecorderHandler {
    func record(_ value: Int64) {}
    func record(_ value: Double) {}
}
