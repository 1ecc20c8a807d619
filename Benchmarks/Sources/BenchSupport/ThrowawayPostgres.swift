import Foundation

/// A PostgreSQL server for the run: the project's own scripts/with-postgres.sh starts a throwaway cluster and
/// keeps it up while this process holds its standard input open; closing it stops and removes the cluster.
public final class ThrowawayPostgres {
    public let url: String
    /// The transaction-pooling PgBouncer the script starts in front of it, when PgBouncer is installed.
    public let poolerURL: String?
    private let process: Process
    private let input: Pipe

    public init() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/with-postgres.sh").path
        guard FileManager.default.isExecutableFile(atPath: script) else {
            throw BenchError("cannot find \(script) to start a PostgreSQL server; pass --postgres-url")
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = ["sh", "-c", "echo \"$VERSIONED_ORM_POSTGRES_URL\"; echo \"$VERSIONED_ORM_PGBOUNCER_URL\"; cat >/dev/null"]
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "VERSIONED_ORM_POSTGRES_URL")
        process.environment = environment
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        func readLine() -> String {
            var line = Data()
            while true {
                let byte = output.fileHandleForReading.readData(ofLength: 1)
                if byte.isEmpty || byte == Data("\n".utf8) { break }
                line.append(byte)
            }
            return String(decoding: line, as: UTF8.self)
        }
        url = readLine()
        let pooler = readLine()
        poolerURL = pooler.isEmpty ? nil : pooler
        guard url.hasPrefix("postgres") else {
            throw BenchError("the throwaway PostgreSQL server did not start (see the messages above)")
        }
    }

    public func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
