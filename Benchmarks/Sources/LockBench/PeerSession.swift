import Foundation
import BenchSupport
import Synchronization

/// peer-bench (GRDB or PostgresNIO) as a child process serving one database, asked for each overhead round and
/// each contention cell right after lock-bench has run the library and the raw driver on it: this machine's speed
/// drifts by tens of percent over minutes, so figures taken a quarter of an hour apart do not compare. A separate
/// executable, so lock-bench links neither peer.
///
/// A failed peer is reported once and then left out: the library's figures of the run are worth keeping.
final class PeerSession: Sendable {
    /// "sqlite" or "postgres", as both executables name the databases.
    let database: String
    private let process: Process
    private let requests: FileHandle
    private let replies: FileHandle
    private let state = Mutex(State())

    private struct State {
        var unread = Data()
        var failed = false
        /// Each variant's rates in the order they came, and one result of it to carry its names.
        var rates: [String: [Double]] = [:]
        var firsts: [String: PeerResult] = [:]
        var order: [String] = []
        var contention: [PeerContentionResult] = []
    }

    /// Starts peer-bench next to lock-bench, serving `database` with lock-bench's counts.
    init(database: String, postgresURL: String?, quick: Bool, rounds: Int) throws {
        guard let folder = Bundle.main.executableURL?.deletingLastPathComponent() else {
            throw BenchError("cannot tell where lock-bench runs from, so cannot find peer-bench next to it")
        }
        let executable = folder.appendingPathComponent("peer-bench")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw BenchError("--peers needs peer-bench next to lock-bench: swift build -c release --package-path Benchmarks")
        }
        var arguments = ["--serve", "--database", database, "--rounds", String(rounds)]
        if let postgresURL { arguments += ["--postgres-url", postgresURL] }
        if quick { arguments.append("--quick") }

        self.database = database
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        requests = input.fileHandleForWriting
        replies = output.fileHandleForReading
        try process.run()
    }

    /// One round of an overhead workload through every variant of the peer.
    func overhead(workload: String, round: Int) async {
        guard let reply = await ask(.overhead(workload: workload, round: round)) else { return }
        state.withLock { state in
            for result in reply.peers {
                let key = "\(result.workload)\u{1F}\(result.variant)"
                if state.firsts[key] == nil {
                    state.firsts[key] = result
                    state.order.append(key)
                }
                state.rates[key, default: []].append(result.rate)
            }
        }
    }

    /// One contention cell through every case the peer has for `strategy`.
    func contention(strategy: String, workers: Int, hotRows: Int, increments: Int) async {
        guard let reply = await ask(.contention(strategy: strategy, workers: workers, hotRows: hotRows,
                                                increments: increments)) else { return }
        state.withLock { $0.contention += reply.contention }
    }

    /// Ends the child and returns its figures: each overhead variant's median over the rounds it ran.
    func finish() async -> PeerReport {
        try? requests.close()
        let process = self.process
        _ = try? await onThread { process.waitUntilExit() }
        if process.terminationStatus != 0 && !state.withLock({ $0.failed }) {
            warn("peers (\(database)): peer-bench exited with status \(process.terminationStatus)")
        }
        return state.withLock { state in
            let peers = state.order.compactMap { key -> PeerResult? in
                guard var result = state.firsts[key], let rates = state.rates[key] else { return nil }
                result.rate = median(rates)
                return result
            }
            return PeerReport(peers: peers, contention: state.contention)
        }
    }

    private func ask(_ request: PeerRequest) async -> PeerReport? {
        guard !state.withLock({ $0.failed }) else { return nil }
        do {
            var line = try JSONEncoder().encode(request)
            line.append(UInt8(ascii: "\n"))
            try requests.write(contentsOf: line)
            let answer = try await onThread { try self.readLine() }
            return try JSONDecoder().decode(PeerReport.self, from: answer)
        } catch {
            warn("peers (\(database)): \(error); the report goes on without them")
            state.withLock { $0.failed = true }
            return nil
        }
    }

    /// The next line the child writes, blocking until it ends one or exits.
    private func readLine() throws -> Data {
        while true {
            if let line = state.withLock({ state -> Data? in
                guard let end = state.unread.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
                let line = state.unread[state.unread.startIndex..<end]
                state.unread.removeSubrange(state.unread.startIndex...end)
                return Data(line)
            }) {
                return line
            }
            // availableData returns what the pipe holds once it holds anything; read(upToCount:) would wait for
            // the whole count on Linux.
            let chunk = replies.availableData
            guard !chunk.isEmpty else {
                throw BenchError("peer-bench ended without answering")
            }
            state.withLock { $0.unread.append(chunk) }
        }
    }
}
