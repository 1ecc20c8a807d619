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

    /// One handle per key, as a real backend keeps them: the library makes some metrics per event
    /// (`Counter(label:dimensions:)` for a conflict), and each must land on the same sums.
    private let handles = Mutex<(counters: [String: SummedCounter], timers: [String: SummedTimer])>(([:], [:]))

    /// Every sum so far. Records go to each handle's atomics, so the hot path takes no lock and the benchmark
    /// charges the library with what a production backend costs, not with a global mutex.
    func snapshot() -> Totals {
        handles.withLock { handles in
            var totals = Totals()
            for (key, counter) in handles.counters { totals.counters[key] = counter.sum.load(ordering: .relaxed) }
            for (key, timer) in handles.timers {
                totals.timerNanoseconds[key] = timer.nanoseconds.load(ordering: .relaxed)
                totals.timerCounts[key] = timer.count.load(ordering: .relaxed)
            }
            return totals
        }
    }

    /// The key a metric is summed under: its label, plus the adaptive strategy's `mode` (the other dimensions,
    /// model and reason, are the same for every operation of a cell).
    fileprivate static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        guard let mode = dimensions.first(where: { $0.0 == "mode" })?.1 else { return label }
        return "\(label).\(mode)"
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        handle(for: Self.key(label, dimensions), in: \.counters, making: SummedCounter.init)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        Ignored()
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        handle(for: Self.key(label, dimensions), in: \.timers, making: SummedTimer.init)
    }

    /// The handle kept for `key`, made on first use.
    private func handle<Handle: Sendable>(
        for key: String,
        in registry: WritableKeyPath<(counters: [String: SummedCounter], timers: [String: SummedTimer]), [String: Handle]>,
        making make: () -> Handle
    ) -> Handle {
        handles.withLock { handles in
            if let existing = handles[keyPath: registry][key] { return existing }
            let handle = make()
            handles[keyPath: registry][key] = handle
            return handle
        }
    }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}

private final class SummedCounter: CounterHandler {
    let sum = Atomic<Int64>(0)
    func increment(by amount: Int64) { sum.wrappingAdd(amount, ordering: .relaxed) }
    func reset() {}
}

private final class SummedTimer: TimerHandler {
    let nanoseconds = Atomic<Int64>(0)
    let count = Atomic<Int64>(0)
    func recordNanoseconds(_ duration: Int64) {
        nanoseconds.wrappingAdd(duration, ordering: .relaxed)
        count.wrappingAdd(1, ordering: .relaxed)
    }
}

private final class Ignored: RecorderHandler {
    func record(_ value: Int64) {}
    func record(_ value: Double) {}
}
