import Foundation

/// A self-contained HTML page: for each database, throughput per strategy across worker counts, one chart per
/// hot-set size, so the crossover between optimistic and pessimistic shows at a glance; then every figure.
enum HTMLReport {
    static let colors = [
        "naive": "#9e9e9e", "optimistic": "#1f77b4", "optimistic-backoff": "#17becf", "pessimistic": "#d62728",
        "atomic": "#2ca02c", "merge": "#9467bd",
    ]

    static func render(_ report: BenchmarkReport) -> String {
        var html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>VersionedORM lock-bench</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
            h1{font-size:1.5em}h2{margin-top:2em}table{border-collapse:collapse;margin:1em 0}
            td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}
            td.l,th.l{text-align:left}.fail{color:#b00;font-weight:bold}.pass{color:#080}
            .panel{display:flex;flex-wrap:wrap;gap:1em}.legend span{display:inline-block;margin-right:1em}
            .swatch{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
            </style></head><body>
            <h1>VersionedORM lock-bench</h1>
            <p>\(escape(settingsLine(report.settings)))</p>
            <p class="legend">\(Strategy.allCases.map { "<span><span class=\"swatch\" style=\"background:\(colors[$0.rawValue] ?? "#000")\"></span>\($0.rawValue)</span>" }.joined())<span>thick: VersionedORM · dotted: the raw C API doing the same increments</span></p>
            """
        for database in ["sqlite", "postgres"] {
            let cells = report.contention.filter { $0.database == database }
            guard !cells.isEmpty else { continue }
            html += "<h2>\(database): throughput under contention</h2><div class=\"panel\">"
            for hotRows in Set(cells.map(\.hotRows)).sorted() {
                html += chart(cells.filter { $0.hotRows == hotRows }, title: "\(database), \(hotRows) hot row\(hotRows == 1 ? "" : "s")")
            }
            html += "</div>"
        }
        html += "<h2>Contention cells</h2><table><tr><th class=l>database</th><th class=l>strategy</th><th>workers</th><th>hot rows</th>"
            + "<th>ops/s</th><th>p50 µs</th><th>p99 µs</th><th>max µs</th><th>retries</th><th>lost</th><th>errors</th><th>check</th>"
            + "<th>raw ops/s</th><th>raw p99 µs</th><th>raw retries</th><th>raw check</th><th>ratio</th></tr>"
        for cell in report.contention {
            let checkClass = cell.check == "FAIL" ? "fail" : (cell.check == "PASS" ? "pass" : "")
            html += "<tr><td class=l>\(cell.database)</td><td class=l>\(cell.strategy)</td><td>\(cell.workers)</td><td>\(cell.hotRows)</td>"
                + "<td>\(Int(cell.opsPerSecond))</td><td>\(cell.p50Micros)</td><td>\(cell.p99Micros)</td><td>\(cell.maxMicros)</td>"
                + "<td>\(cell.retries)</td><td>\(cell.lostUpdates)</td><td>\(cell.errors)</td><td class=\"\(checkClass)\">\(cell.check)</td>"
                + (cell.raw.map { raw in
                    "<td>\(Int(raw.opsPerSecond))</td><td>\(raw.p99Micros)</td><td>\(raw.retries)</td><td>\(raw.check)</td>"
                        + "<td class=\"\((cell.ratio ?? 0) >= 0.8 || cell.strategy == "naive" ? "pass" : "fail")\">\(String(format: "%.2f", cell.ratio ?? 0))</td>"
                } ?? "<td></td><td></td><td></td><td></td><td></td>") + "</tr>"
        }
        html += "</table><h2>Overhead against the raw driver</h2><table><tr><th class=l>database</th><th class=l>workload</th>"
            + "<th>library (async)</th><th>library (sync)</th><th>raw</th><th>ratio</th><th>sync ratio</th><th>target</th></tr>"
        for row in report.overhead {
            let met = row.ratio >= row.target ? "pass" : "fail"
            html += "<tr><td class=l>\(row.database)</td><td class=l>\(row.workload): \(escape(row.description))</td>"
                + "<td>\(Int(row.libraryRate)) \(row.unit)</td><td>\(Int(row.librarySyncRate))</td><td>\(Int(row.rawRate))</td>"
                + "<td class=\(met)>\(String(format: "%.2f", row.ratio))</td><td>\(String(format: "%.2f", row.syncRatio))</td><td>≥ \(row.target)</td></tr>"
        }
        html += "</table>"
        if let peers = report.peers {
            html += "<h2>Against the peers</h2><pre>\(escape(LockBench.peerLines(report, peers).joined(separator: "\n")))</pre>"
        }
        if !report.memory.isEmpty {
            html += "<h2>Memory</h2><pre>\(escape(LockBench.memoryLines(report).joined(separator: "\n")))</pre>"
        }
        html += "</body></html>\n"
        return html
    }

    private static func settingsLine(_ settings: Settings) -> String {
        var parts = ["VersionedORM \(settings.library)", "SQLite \(settings.sqliteVersion)"]
        if let postgres = settings.postgresVersion { parts.append("PostgreSQL \(postgres)") }
        parts.append("\(settings.cores) cores, load average \(settings.loadAverage.map { String(format: "%.2f", $0) }.joined(separator: " "))")
        parts.append("\(settings.build) build\(settings.quick ? ", --quick" : "")")
        parts.append(settings.date)
        return parts.joined(separator: " · ")
    }

    /// A line chart: x = workers (log scale), y = ops/s from zero, one line per strategy.
    private static func chart(_ cells: [ContentionResult], title: String) -> String {
        let width = 520.0, height = 320.0, left = 70.0, right = 20.0, top = 30.0, bottom = 40.0
        let workers = Set(cells.map(\.workers)).sorted()
        let peak = max(cells.flatMap { [$0.opsPerSecond, $0.raw?.opsPerSecond ?? 0] }.max() ?? 1, 1) * 1.1
        func x(_ value: Int) -> Double {
            guard workers.count > 1, let first = workers.first, let last = workers.last else { return left + (width - left - right) / 2 }
            let span = log(Double(last)) - log(Double(first))
            return left + (log(Double(value)) - log(Double(first))) / span * (width - left - right)
        }
        func y(_ value: Double) -> Double { top + (1 - value / peak) * (height - top - bottom) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\">"
        svg += "<text x=\"\(left)\" y=\"18\" font-weight=\"bold\">\(escape(title))</text>"
        for step in 0...4 {
            let value = peak / 1.1 * Double(step) / 4
            svg += "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(y(value))\" y2=\"\(y(value))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y(value) + 4)\" text-anchor=\"end\" font-size=\"11\">\(Int(value))</text>"
        }
        for count in workers {
            svg += "<text x=\"\(x(count))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\" font-size=\"11\">\(count)</text>"
        }
        svg += "<text x=\"\((left + width - right) / 2)\" y=\"\(height - 6)\" text-anchor=\"middle\" font-size=\"11\">workers</text>"
        svg += "<text x=\"14\" y=\"\((top + height - bottom) / 2)\" font-size=\"11\" transform=\"rotate(-90 14 \((top + height - bottom) / 2))\" text-anchor=\"middle\">ops/s</text>"
        for strategy in Strategy.allCases {
            let points = cells.filter { $0.strategy == strategy.rawValue }.sorted { $0.workers < $1.workers }
            guard !points.isEmpty else { continue }
            let color = colors[strategy.rawValue] ?? "#000"
            let path = points.map { "\(x($0.workers)),\(y($0.opsPerSecond))" }.joined(separator: " ")
            let dash = strategy == .naive ? " stroke-dasharray=\"4 3\"" : ""
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash) points=\"\(path)\"/>"
            // The raw driver doing the same increments: a thin dotted line of the same colour, the floor to reach.
            let rawPoints = points.compactMap { point in point.raw.map { "\(x(point.workers)),\(y($0.opsPerSecond))" } }
            if rawPoints.count == points.count, strategy != .naive {
                svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1\" stroke-dasharray=\"1 3\" points=\"\(rawPoints.joined(separator: " "))\"/>"
            }
            for point in points {
                svg += "<circle cx=\"\(x(point.workers))\" cy=\"\(y(point.opsPerSecond))\" r=\"3\" fill=\"\(color)\"><title>\(strategy.rawValue), \(point.workers) workers: \(Int(point.opsPerSecond)) ops/s, p99 \(point.p99Micros) µs, \(point.retries) retries</title></circle>"
            }
        }
        return svg + "</svg>"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
