import Foundation
import BenchSupport

/// Runs peer-bench (GRDB and PostgresNIO on the same workloads) as a child process against the same databases,
/// so one report holds VersionedORM, the raw drivers and the peers of one sitting. A separate executable, so
/// lock-bench links neither peer.
struct PeerRun {
    let databases: String
    let postgresURL: String?
    let quick: Bool
    let overheadOnly: Bool
    let workloads: [String]

    func run() throws -> PeerReport {
        guard let folder = Bundle.main.executableURL?.deletingLastPathComponent() else {
            throw BenchError("cannot tell where lock-bench runs from, so cannot find peer-bench next to it")
        }
        let executable = folder.appendingPathComponent("peer-bench")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw BenchError("--peers needs peer-bench next to lock-bench: swift build -c release --package-path Benchmarks")
        }
        var arguments = ["--database", databases]
        if let postgresURL { arguments += ["--postgres-url", postgresURL] }
        if quick { arguments.append("--quick") }
        if overheadOnly { arguments.append("--overhead-only") }
        for workload in workloads where workload != "W0" { arguments += ["--workload", workload] }

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("peer-bench exited with status \(process.terminationStatus)")
        }
        return try JSONDecoder().decode(PeerReport.self, from: data)
    }
}
