import BenchSupport
import Foundation
import MallocInterposerSwift
import VersionedORM

/// Allocations per fetched row and per save, counted by ordo-one's malloc interposer (linked into lock-bench; on
/// Linux a linked library's malloc takes precedence, on macOS it needs DYLD_INSERT_LIBRARIES), at two sizes of
/// work so growth shows; and the resident set size along a long run of updates, which must level off rather than
/// climb.
struct MemoryBenchmark {
    let database: BenchDatabase
    let updates: Int
    let tableRows = 10_000

    func run(progress: (String) -> Void) async throws -> MemoryResult {
        let db = try await database.open(connections: 2)
        defer { Task { await db.close() } }
        let streaming = try await streamingFigures(db, progress: progress)
        let ids = try await BenchDatabase.resetAccounts(db, rows: tableRows)
        var allocations: [AllocationFigure] = []
        let counting = Self.isCounting()
        if !counting {
            progress("  \(database.name): allocations not counted (the malloc interposer is not active)")
        }
        if counting {
            for count in [1_000, 10_000] {
                // The blocking API from a plain thread: only the fetch itself allocates.
                let fetched = try await onThread {
                    try Self.counted { try db.readSync { tx in try BenchAccount.all().limit(count).fetchAll(tx) }.count }
                }
                allocations.append(AllocationFigure(operation: "fetched row (fetchAll)", operations: count,
                                                    allocations: fetched.allocations, bytes: fetched.bytes))
                let saved = try await onThread {
                    try db.writeWithoutTransactionSync { session -> Counted in
                        var accounts = try BenchAccount.all().limit(count).fetchAll(session)
                        return try Self.counted {
                            for index in accounts.indices {
                                accounts[index].balance += 1
                                try session.save(&accounts[index])
                            }
                        }
                    }
                }
                allocations.append(AllocationFigure(operation: "save (in one session)", operations: count,
                                                    allocations: saved.allocations, bytes: saved.bytes))
                let modifyCount = count / 10
                let modified = try await Self.countedAsync {
                    for index in 0..<modifyCount {
                        _ = try await db.modify(BenchAccount.self, id: ids[index % ids.count],
                                                using: .optimistic(retry: RetryPolicy())) { $0.balance += 1 }
                    }
                }
                allocations.append(AllocationFigure(operation: "db.modify, optimistic (async)", operations: modifyCount,
                                                    allocations: modified.allocations, bytes: modified.bytes))
            }
            for figure in allocations {
                progress("  \(database.name): \(figure.operation) × \(figure.operations): "
                    + String(format: "%.1f allocations, %.0f bytes each", figure.perOperation, figure.bytesPerOperation))
            }
        }

        var samples: [RSSSample] = [RSSSample(updates: 0, residentKiB: Self.residentKiB())]
        let step = max(1, updates / 10)
        var random = SplitMix(seed: 42)
        for done in 1...updates {
            let id = ids[Int(random.next() % UInt64(ids.count))]
            _ = try await db.modify(BenchAccount.self, id: id, using: .optimistic(retry: RetryPolicy())) { $0.balance += 1 }
            if done % step == 0 {
                samples.append(RSSSample(updates: done, residentKiB: Self.residentKiB()))
                progress("  \(database.name): \(done) updates, resident \(samples[samples.count - 1].residentKiB / 1024) MiB")
            }
        }
        return MemoryResult(database: database.name, allocationsCounted: counting, allocations: allocations,
                            updates: updates, resident: samples, peakResidentKiB: Self.peakResidentKiB(),
                            streaming: streaming)
    }

    /// How far the resident set rises above where it was while one read goes through a whole table of a tenth of
    /// `updates` rows and of `updates` rows: with `fetchEach`, which must stay flat, and with `fetchAll`, which
    /// holds every row. The peak is reset before each (Linux's /proc/self/clear_refs); where it cannot be, no
    /// figure is given.
    private func streamingFigures(_ db: Database, progress: (String) -> Void) async throws -> [StreamFigure] {
        var figures: [StreamFigure] = []
        for rows in [max(1, updates / 10), updates] {
            _ = try await BenchDatabase.resetAccounts(db, rows: rows)
            for method in ["fetchEach", "fetchAll"] {
                guard Self.resetPeakResident() else { return [] }
                let before = Self.residentKiB()
                let started = ContinuousClock.now
                let read = try await db.read { tx -> Int in
                    guard method == "fetchEach" else { return try BenchAccount.all().fetchAll(tx).count }
                    var count = 0
                    try BenchAccount.all().fetchEach(tx) { _ in count += 1 }
                    return count
                }
                let seconds = started.duration(to: .now).seconds
                let figure = StreamFigure(method: method, rows: read, peakGrowthKiB: Self.peakResidentKiB() - before,
                                          rowsPerSecond: Double(read) / max(seconds, 1e-9))
                progress("  \(database.name): \(method) of \(read) rows: resident set rose \(figure.peakGrowthKiB / 1024) MiB "
                    + "at its peak, \(Int(figure.rowsPerSecond)) rows/s")
                figures.append(figure)
            }
        }
        return figures
    }

    /// Sets the peak resident set (VmHWM) back to the current one; false where the system has no such control.
    static func resetPeakResident() -> Bool {
        guard let control = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? control.close() }
        return (try? control.write(contentsOf: Data("5".utf8))) != nil
    }

    /// Whether the interposer is loaded: a counted allocation moves its counter.
    static func isCounting() -> Bool {
        let counted = try? counted { _ = Array(repeating: UInt8(0), count: 100) }
        return (counted?.allocations ?? 0) > 0
    }

    static func counted<T>(_ body: () throws -> T) throws -> Counted {
        startCounting()
        _ = try body()
        return stopCounting()
    }

    /// Async work counts every thread's allocations, the lane's included; nothing else runs meanwhile.
    static func countedAsync(_ body: () async throws -> Void) async throws -> Counted {
        startCounting()
        try await body()
        return stopCounting()
    }

    private static func startCounting() {
        MallocInterposerSwift.initialize()
        MallocInterposerSwift.hook()
    }

    private static func stopCounting() -> Counted {
        MallocInterposerSwift.unhook()
        let statistics = MallocInterposerSwift.getStatistics()
        return (statistics.mallocCount, statistics.mallocBytesCount)
    }

    static func residentKiB() -> Int { statusField("VmRSS:") }
    static func peakResidentKiB() -> Int { statusField("VmHWM:") }

    /// A field of /proc/self/status in KiB (Linux); elsewhere the peak from getrusage for both.
    private static func statusField(_ name: String) -> Int {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
           let value = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
            return value
        }
        var usage = rusage()
        #if os(macOS)
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss) / 1024
        #else
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss)
        #endif
    }
}

typealias Counted = (allocations: Int, bytes: Int)

struct AllocationFigure: Codable, Sendable {
    var operation: String
    var operations: Int
    var allocations: Int
    var bytes: Int
    var perOperation: Double { Double(allocations) / Double(max(operations, 1)) }
    var bytesPerOperation: Double { Double(bytes) / Double(max(operations, 1)) }
}

struct RSSSample: Codable, Sendable {
    var updates: Int
    var residentKiB: Int
}

struct MemoryResult: Codable, Sendable {
    var database: String
    var allocationsCounted: Bool
    var allocations: [AllocationFigure]
    var updates: Int
    var resident: [RSSSample]
    var peakResidentKiB: Int
    /// One read of a whole table, row by row and into an array, at two table sizes.
    var streaming: [StreamFigure] = []
}

struct StreamFigure: Codable, Sendable {
    /// `fetchEach` or `fetchAll`.
    var method: String
    var rows: Int
    /// The peak resident set during the read, above the resident set before it.
    var peakGrowthKiB: Int
    var rowsPerSecond: Double
}
