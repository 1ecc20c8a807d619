import BenchSupport
import Dispatch
import Foundation
import Synchronization

/// How far a long run is: cells done of the run's total, the time so far and an estimate of the rest, for the
/// progress lines on stderr; and the figures measured so far (whole workloads, with all their rounds), which an
/// interrupted run (Ctrl-C) still writes.
final class RunProgress: Sendable {
    private struct State {
        var done = 0
        var contention: [ContentionResult] = []
        var overhead: [OverheadResult] = []
    }

    let total: Int
    private let started = ContinuousClock.now
    private let state = Mutex(State())

    init(total: Int) {
        self.total = max(total, 1)
    }

    /// Counts a finished run of one cell; returns "cell 5/84, 0:42 elapsed, about 6:19 left".
    func finishedRun() -> String {
        let done = state.withLock { state in
            state.done += 1
            return state.done
        }
        let elapsed = started.duration(to: .now).seconds
        let left = elapsed / Double(done) * Double(max(total - done, 0))
        return "cell \(done)/\(total), \(Self.clock(elapsed)) elapsed, about \(Self.clock(left)) left"
    }

    /// Keeps a workload's cells, each the median of its rounds, for an interrupted run to write.
    func completed(_ cells: [ContentionResult]) {
        state.withLock { $0.contention += cells }
    }

    func finished(_ results: [OverheadResult]) {
        state.withLock { $0.overhead += results }
    }

    var measured: (contention: [ContentionResult], overhead: [OverheadResult]) {
        state.withLock { ($0.contention, $0.overhead) }
    }

    private static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return String(format: "%d:%02d", whole / 60, whole % 60)
    }

    /// On SIGINT: writes what was measured so far to `json` (when given), removes `directory`, and exits 130.
    /// The throwaway PostgreSQL cluster's script gets the same signal from the terminal and removes itself.
    func writeOnInterrupt(settings: Settings, json: String?, directory: URL) -> any DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [self] in
            let (contention, overhead) = measured
            warn("interrupted after \(contention.count) of \(total) cells")
            if let json {
                var partial = settings
                partial.loadAverage = Measure.loadAverage()
                let report = BenchmarkReport(settings: partial, contention: contention, overhead: overhead)
                if (try? report.writeJSON(to: json)) != nil {
                    warn("wrote the figures measured so far to \(json)")
                }
            }
            try? FileManager.default.removeItem(at: directory)
            exit(130)
        }
        source.resume()
        return source
    }
}
