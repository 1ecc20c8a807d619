import Foundation

/// A self-contained HTML page: for each database, throughput per strategy across worker counts, one chart per
/// hot-set size, so the crossover between optimistic and pessimistic shows at a glance; then every figure.
enum HTMLReport {
    static let colors = [
        "naive": "#9e9e9e", "optimistic": "#1f77b4", "optimistic-backoff": "#17becf", "pessimistic": "#d62728",
        "atomic": "#2ca02c", "merge": "#9467bd", "optimistic-default": "#08519c", "adaptive": "#ff7f0e", "adaptive-default": "#8c564b",
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
            table.heat td{text-align:center;color:#fff;font-size:12px;min-width:92px}table.heat th{font-size:12px}
            .crossover li{margin:.2em 0}
            </style></head><body>
            <h1>VersionedORM lock-bench</h1>
            <p>\(escape(settingsLine(report.settings)))</p>
            <p class="legend">\(Strategy.allCases.map { "<span><span class=\"swatch\" style=\"background:\(colors[$0.rawValue] ?? "#000")\"></span>\($0.rawValue)</span>" }.joined())<span>thick: VersionedORM · dotted: the raw C API doing the same increments</span></p>
            """
        for database in ["sqlite", "postgres", "postgres-unnamed", "pgbouncer"] {
            let cells = report.contention.filter { $0.database == database }
            guard !cells.isEmpty else { continue }
            let plane = cells.filter(\.isBasePlane)
            html += "<h2>\(database): the winning strategy</h2>" + heatmap(plane, database: database)
            let sentences = StrategyAnalysis.crossovers(plane)
            if !sentences.isEmpty {
                html += "<p><b>Crossover</b> (optimistic family: optimistic, its backoff and default-policy variants, merge):</p>"
                    + "<ul class=\"crossover\">" + sentences.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
            }
            html += "<h2>\(database): throughput under contention</h2><div class=\"panel\">"
            for picks in orderedPicks(plane) {
                html += chart(plane.filter { $0.picks == picks }, title: "\(database), \(picks): ops/s", value: { $0.opsPerSecond },
                              raw: { $0.raw?.opsPerSecond })
            }
            html += "</div><h2>\(database): p99 latency (µs, from the first attempt)</h2><div class=\"panel\">"
            for picks in orderedPicks(plane) {
                html += chart(plane.filter { $0.picks == picks }, title: "\(database), \(picks): p99 µs", value: { Double($0.p99Micros) },
                              raw: { $0.raw.map { Double($0.p99Micros) } })
            }
            html += "</div>"
            let slices = StrategyAnalysis.winners(cells.filter { !$0.isBasePlane })
            if !slices.isEmpty {
                html += "<h2>\(database): the slices (one variable changed from the plane)</h2><table><tr><th class=l>workload</th>"
                    + "<th>T</th><th class=l>picks</th><th class=l>winner</th><th>ops/s</th><th>p99 µs</th><th>attempts / commit</th>"
                    + "<th class=l>runner-up</th><th>margin</th><th>raw ops/s of the winner</th></tr>"
                for winner in slices {
                    let cell = winner.cell
                    html += "<tr><td class=l>\(escape(cell.variation))</td><td>\(cell.workers)</td><td class=l>\(cell.picks)</td>"
                        + "<td class=l><span class=swatch style=\"background:\(colors[cell.strategy] ?? "#444")\"></span>\(cell.strategy)</td>"
                        + "<td>\(Int(cell.opsPerSecond))</td><td>\(cell.p99Micros)</td><td>\(String(format: "%.2f", cell.attemptsPerCommit))</td>"
                        + "<td class=l>\(winner.runnerUp?.strategy ?? "")</td><td>\(winner.margin.map { String(format: "+%.0f%%", $0 * 100) } ?? "")</td>"
                        + "<td>\(cell.raw.map { String(Int($0.opsPerSecond)) } ?? "")</td></tr>"
                }
                html += "</table>"
            }
            let adaptive = StrategyAnalysis.adaptiveComparisons(cells)
            if !adaptive.isEmpty {
                html += "<h2>\(database): adaptive against the best fixed strategy (target ≥ 0.9)</h2><table><tr><th class=l>adaptive</th><th>T</th>"
                    + "<th class=l>picks</th><th class=l>workload</th><th>adaptive ops/s</th><th>best fixed ops/s</th>"
                    + "<th class=l>best fixed</th><th>ratio</th><th>per round</th><th>locking attempts</th></tr>"
                for comparison in adaptive {
                    let cell = comparison.adaptive
                    html += "<tr><td class=l>\(cell.strategy)</td><td>\(cell.workers)</td><td class=l>\(cell.picks)</td><td class=l>\(escape(cell.variation))</td>"
                        + "<td>\(Int(cell.opsPerSecond))</td><td>\(Int(comparison.best.opsPerSecond))</td><td class=l>\(comparison.best.strategy)</td>"
                        + "<td class=\(comparison.ratio >= 0.9 ? "pass" : "fail")>\(String(format: "%.2f", comparison.ratio))</td>"
                        + "<td>\(comparison.roundRatioRange ?? "")</td><td>\(cell.adaptiveLockingAttempts ?? 0)</td></tr>"
                }
                let control = StrategyAnalysis.fixedAgainstTheOthers(cells, database: database)
                html += "</table><p>With --rounds, each figure is the median round's and the per-round column is adaptive ÷ "
                    + "that best strategy within each round, lowest to highest. Noise control: each fixed strategy against the "
                    + "best of the other fixed ones reaches 0.9 in \(control.atOrAbove) of \(control.total) cases; that is the "
                    + "share noise alone allows.</p>"
            }
        }
        html += "<h2>Contention cells</h2><table><tr><th class=l>database</th><th class=l>strategy</th><th>workers</th><th class=l>picks</th>"
            + "<th class=l>workload</th><th>ops/s</th><th>p50 µs</th><th>p99 µs</th><th>p99.9 µs</th><th>max µs</th><th>attempts / commit</th>"
            + "<th>max attempts</th><th>wasted statements</th><th>lock wait ms</th><th>lost</th><th>errors</th><th>check</th>"
            + "<th>raw ops/s</th><th>raw p99 µs</th><th>raw retries</th><th>raw check</th><th>ratio</th></tr>"
        for cell in report.contention {
            let checkClass = cell.check == "FAIL" ? "fail" : (cell.check == "PASS" ? "pass" : "")
            html += "<tr><td class=l>\(cell.database)</td><td class=l>\(cell.strategy)</td><td>\(cell.workers)</td><td class=l>\(cell.picks)</td>"
                + "<td class=l>\(escape(cell.variation))</td><td>\(Int(cell.opsPerSecond))</td><td>\(cell.p50Micros)</td><td>\(cell.p99Micros)</td>"
                + "<td>\(cell.p999Micros)</td><td>\(cell.maxMicros)</td><td>\(String(format: "%.2f", cell.attemptsPerCommit))</td>"
                + "<td>\(cell.maxAttempts)</td><td>\(cell.wastedStatements)</td><td>\(String(format: "%.1f", Double(cell.lockWaitMicros) / 1_000))</td>"
                + "<td>\(cell.lostUpdates)</td><td>\(cell.errors)</td><td class=\"\(checkClass)\">\(cell.check)</td>"
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
            html += "<h2>Against the peers</h2><pre>\(escape(Measure.peerLines(report, peers).joined(separator: "\n")))</pre>"
        }
        if !report.memory.isEmpty {
            html += "<h2>Memory</h2><pre>\(escape(Measure.memoryLines(report).joined(separator: "\n")))</pre>"
        }
        html += "</body></html>\n"
        return html
    }

    private static func settingsLine(_ settings: Settings) -> String {
        var parts = ["VersionedORM \(settings.library)", "SQLite \(settings.sqliteVersion)"]
        if let postgres = settings.postgresVersion { parts.append("PostgreSQL \(postgres)") }
        let loads = { (load: [Double]) in load.map { String(format: "%.2f", $0) }.joined(separator: " ") }
        parts.append("\(settings.cores) cores, load average \(settings.loadAverageAtStart.map { "\(loads($0)) at the start, " } ?? "")\(loads(settings.loadAverage)) at the end")
        if let seconds = settings.runSeconds { parts.append(String(format: "run took %.0f min", seconds / 60)) }
        let database = settings.postgresSettings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        if !database.isEmpty { parts.append("PostgreSQL settings: \(database)") }
        parts.append("\(settings.build) build\(settings.quick ? ", --quick" : "")")
        parts.append(settings.date)
        return parts.joined(separator: " · ")
    }

    /// The picks of `cells`, from the most contended to the least.
    private static func orderedPicks(_ cells: [ContentionResult]) -> [String] {
        var seen: Set<String> = []
        return cells.sorted { $0.effectiveHotRows < $1.effectiveHotRows }.map(\.picks).filter { seen.insert($0).inserted }
    }

    /// Rows: worker counts; columns: picks from the most contended to the least; each cell coloured by the fixed
    /// strategy that committed the most operations, with its margin over the runner-up.
    private static func heatmap(_ plane: [ContentionResult], database: String) -> String {
        let winners = StrategyAnalysis.winners(plane)
        guard !winners.isEmpty else { return "" }
        let columns = orderedPicks(winners.map(\.cell))
        var html = "<table class=\"heat\" aria-label=\"\(escape(database)) winning strategy heatmap\"><tr><th>T \\ picks</th>"
            + columns.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
        for workers in Set(winners.map(\.cell.workers)).sorted() {
            html += "<tr><th>\(workers)</th>"
            for picks in columns {
                guard let winner = winners.first(where: { $0.cell.workers == workers && $0.cell.picks == picks }) else {
                    html += "<td style=\"background:#ddd;color:#222\">–</td>"
                    continue
                }
                let margin = winner.margin.map { String(format: "+%.0f%%", $0 * 100) } ?? ""
                let detail = "\(winner.cell.strategy): \(Int(winner.cell.opsPerSecond)) ops/s"
                    + (winner.runnerUp.map { "; runner-up \($0.strategy): \(Int($0.opsPerSecond)) ops/s" } ?? "")
                html += "<td style=\"background:\(colors[winner.cell.strategy] ?? "#444")\" title=\"\(escape(detail))\">"
                    + "\(winner.cell.strategy)<br>\(margin)</td>"
            }
            html += "</tr>"
        }
        return html + "</table><p>Margin: the winner's committed operations per second over the runner-up's, same cell. "
            + "Hover a cell for both figures.</p>"
    }

    /// A line chart: x = workers (log scale), y = `value` from zero, one line per strategy; `raw`, the raw driver
    /// doing the same operations, as a dotted line of the same colour.
    private static func chart(_ cells: [ContentionResult], title: String, value: (ContentionResult) -> Double,
                              raw: (ContentionResult) -> Double?) -> String {
        let width = 520.0, height = 320.0, left = 70.0, right = 20.0, top = 30.0, bottom = 40.0
        let workers = Set(cells.map(\.workers)).sorted()
        let peak = max(cells.flatMap { [value($0), raw($0) ?? 0] }.max() ?? 1, 1) * 1.1
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
        svg += "<text x=\"14\" y=\"\((top + height - bottom) / 2)\" font-size=\"11\" transform=\"rotate(-90 14 \((top + height - bottom) / 2))\" text-anchor=\"middle\">\(title.hasSuffix("µs") ? "µs" : "ops/s")</text>"
        for strategy in Strategy.allCases {
            let points = cells.filter { $0.strategy == strategy.rawValue }.sorted { $0.workers < $1.workers }
            guard !points.isEmpty else { continue }
            let color = colors[strategy.rawValue] ?? "#000"
            let path = points.map { "\(x($0.workers)),\(y(value($0)))" }.joined(separator: " ")
            let dash = strategy == .naive ? " stroke-dasharray=\"4 3\"" : ""
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash) points=\"\(path)\"/>"
            // The raw driver doing the same increments: a thin dotted line of the same colour, the floor to reach.
            let rawPoints = points.compactMap { point in raw(point).map { "\(x(point.workers)),\(y($0))" } }
            if rawPoints.count == points.count, strategy != .naive {
                svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1\" stroke-dasharray=\"1 3\" points=\"\(rawPoints.joined(separator: " "))\"/>"
            }
            for point in points {
                svg += "<circle cx=\"\(x(point.workers))\" cy=\"\(y(value(point)))\" r=\"3\" fill=\"\(color)\"><title>\(strategy.rawValue), \(point.workers) workers: \(Int(point.opsPerSecond)) ops/s, p99 \(point.p99Micros) µs, \(point.retries) retries</title></circle>"
            }
        }
        return svg + "</svg>"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
