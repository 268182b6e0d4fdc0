import TradingCore

/// `sweep.html`: the best parameter sets as a table, and for every pair of grid keys a heatmap of the best value of
/// the ranking metric over the other keys. Self-contained and drawn without scripts, so it reads the same in any
/// browser, offline, and its bytes depend only on the sweep.
public struct SweepPage: Sendable {
    public let table: SweepTable
    public let metric: String
    public let constraints: [SweepConstraint]
    public let top: Int

    public init(table: SweepTable, metric: String, constraints: [SweepConstraint], top: Int) {
        self.table = table
        self.metric = metric
        self.constraints = constraints
        self.top = top
    }

    /// The page.
    public func html() throws -> String {
        let best = try table.best(maximizing: metric, constraints: constraints, count: top)
        let m = try table.column(metric)
        let kept = try table.best(maximizing: metric, constraints: constraints, count: table.rows.count)
        let rule = constraints.isEmpty ? "no constraint"
            : constraints.map(\.text).joined(separator: ", ")
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>TradeMesh sweep — \(ReportPage.escape(metric))</title>
            <style>
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1060px;color:#1d2430;background:#fff}
            h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #e3e7ee;padding-bottom:4px}
            .sub{color:#5b6575} table{border-collapse:collapse;margin-bottom:12px}
            td,th{padding:3px 8px;border:1px solid #e3e7ee;text-align:right;font-variant-numeric:tabular-nums}
            th{background:#f3f5f9} table.heat td{min-width:56px;font-size:12px} table.heat td.none{background:#f6f8fb;color:#9aa3b2}
            </style></head><body>
            <h1>TradeMesh sweep: \(table.rows.count) parameter sets, ranked by \(ReportPage.escape(metric))</h1>
            <div class="sub">\(kept.count) sets satisfy \(ReportPage.escape(rule)); greater \(ReportPage.escape(metric)) is better.</div>

            """
        // The set's parameters, the ranking metric, then the figures a reader weighs it against.
        var shown = ["index"] + table.parameters + [metric]
        for c in Self.context where !shown.contains(c) && table.columns.contains(c) { shown.append(c) }
        let indices = try shown.map(table.column)
        h += "<h2>Best \(best.count) sets</h2>\n<table id=\"best\">\n<tr>"
        for c in shown { h += "<th>\(ReportPage.escape(c))</th>" }
        h += "</tr>\n"
        for row in best {
            h += "<tr>" + indices.map { "<td>\(Self.cell(row[$0]))</td>" }.joined() + "</tr>\n"
        }
        h += "</table>\n"
        let keys = table.parameters
        for a in keys.indices {
            for b in keys.indices where b > a {
                h += try heatmap(x: keys[b], y: keys[a], metric: m, rows: kept)
            }
        }
        if keys.count < 2 {
            h += "<p class=\"sub\">A heatmap needs two grid keys; this sweep has \(keys.count).</p>\n"
        }
        h += "</body></html>\n"
        return h
    }

    /// The best metric for each (y, x) pair of values over the rows given, coloured from red (worst) to green.
    private func heatmap(x: String, y: String, metric m: Int, rows: [[String]]) throws -> String {
        let xi = try table.column(x), yi = try table.column(y)
        let xs = Self.distinct(table.rows.map { $0[xi] }), ys = Self.distinct(table.rows.map { $0[yi] })
        var cell: [String: Double] = [:]
        for row in rows {
            guard let v = table.number(row, m) else { continue }
            let key = row[yi] + "\u{1F}" + row[xi]
            if let old = cell[key], old >= v { continue }
            cell[key] = v
        }
        let values = cell.values
        let low = values.min() ?? 0, high = values.max() ?? 0
        var h = "<h2>\(ReportPage.escape(metric)) by \(ReportPage.escape(y)) and \(ReportPage.escape(x))</h2>\n"
        h += "<table class=\"heat\" data-x=\"\(ReportPage.escape(x))\" data-y=\"\(ReportPage.escape(y))\">\n"
        h += "<tr><th>\(ReportPage.escape(y)) \\ \(ReportPage.escape(x))</th>"
            + xs.map { "<th>\(ReportPage.escape($0))</th>" }.joined() + "</tr>\n"
        for yv in ys {
            h += "<tr><th>\(ReportPage.escape(yv))</th>"
            for xv in xs {
                guard let v = cell[yv + "\u{1F}" + xv] else {
                    h += "<td class=\"none\">–</td>"
                    continue
                }
                let t = high > low ? (v - low) / (high - low) : 1
                h += "<td style=\"background:\(Self.colour(t))\">\(Self.short(v))</td>"
            }
            h += "</tr>\n"
        }
        return h + "</table>\n"
    }

    /// Metrics shown beside the ranking metric in the table of best sets.
    static let context = ["total_return", "sharpe", "max_drawdown", "num_trades", "win_rate", "profit_factor"]

    /// A table cell: numbers to four significant figures, the rest escaped; an empty metric as a dash.
    static func cell(_ field: String) -> String {
        if field.isEmpty { return "–" }
        if let v = Double(field), field.contains(".") || field.contains("e") { return short(v) }
        return ReportPage.escape(field)
    }

    /// Values in the order they first appear (the grid's order).
    static func distinct(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    /// A colour from red (t = 0) through pale yellow to green (t = 1).
    static func colour(_ t: Double) -> String {
        let (r, g, b): (Double, Double, Double) = t < 0.5
            ? (248, 113 + (230 - 113) * t * 2, 113 + (160 - 113) * t * 2)
            : (248 - (248 - 74) * (t - 0.5) * 2, 230 - (230 - 222) * (t - 0.5) * 2, 160 - (160 - 128) * (t - 0.5) * 2)
        func hex(_ v: Double) -> String {
            let n = Int(v.rounded())
            let digits = Array("0123456789abcdef")
            return String(digits[n / 16]) + String(digits[n % 16])
        }
        return "#" + hex(r) + hex(g) + hex(b)
    }

    /// Four significant figures, for a cell.
    static func short(_ v: Double) -> String {
        guard v != 0 else { return "0" }
        var scale = 1.0
        while abs(v) * scale < 1000 { scale *= 10 }
        while abs(v) * scale >= 10_000 { scale /= 10 }
        return JSONWriter.number((v * scale).rounded() / scale)
    }
}
