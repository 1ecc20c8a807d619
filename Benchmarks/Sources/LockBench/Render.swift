import ArgumentParser
import BenchSupport
import Foundation

/// `lock-bench render`: the tables and the HTML report again from a `--json` file, without measuring anything,
/// so a long run's figures can be read in the report of a later build.
struct Render: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Prints the tables and writes the HTML report of a lock-bench --json file.")

    @Argument(help: "A lock-bench --json file.")
    var json: String

    @Option(help: "Write the self-contained HTML report into this directory.")
    var report: String?

    func run() async throws {
        let result = try JSONDecoder().decode(BenchmarkReport.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        print(Measure.table(result))
        if let report { warn("wrote \(try result.writeReport(toDirectory: report))") }
    }
}
