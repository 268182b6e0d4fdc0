import TradingCore
import Foundation

/// The HTML of a report (see `RunReport`).
struct ReportPage {
    let data: ReportData
    let manifest: RunManifest
    let manifestText: String
    let metrics: [(String, String)]

    static let width = 1000.0
    static let height = 240.0
    static let pad = 56.0

    var html: String {
        let c = manifest.config
        let title = "TradeMesh backtest \(manifest.runID) — \(c.symbol) \(c.strategy.name)"
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.escape(title))</title>
            <style>
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1060px;color:#1d2430;background:#fff}
            h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #e3e7ee;padding-bottom:4px}
            .sub{color:#5b6575} svg{display:block;background:#fbfcfe;border:1px solid #e3e7ee;border-radius:4px}
            svg text{font-size:11px;fill:#5b6575} .grid{stroke:#e3e7ee;stroke-width:1}
            table{border-collapse:collapse} td,th{padding:3px 8px;border:1px solid #e3e7ee;text-align:right;font-variant-numeric:tabular-nums}
            th{background:#f3f5f9} td.k{text-align:left;color:#5b6575} pre{background:#f6f8fb;border:1px solid #e3e7ee;padding:10px;overflow:auto;font-size:12px}
            #readout{height:18px;color:#1d2430;font-variant-numeric:tabular-nums}
            </style></head><body>
            <h1>\(Self.escape(title))</h1>
            <div class="sub">\(data.rows) bars · \(data.tradeCount) trades · code \(Self.escape(manifest.codeVersion)) · data \(Self.escape(c.data))</div>

            """
        h += "<h2>Equity</h2><div id=\"readout\"></div>\n"
        h += chart(id: "equity", points: data.equity, color: "#2563eb", fill: false, format: Self.money)
        h += "<h2>Drawdown</h2>\n"
        h += chart(id: "drawdown", points: data.drawdown, color: "#dc2626", fill: true, format: Self.percent)
        h += "<h2>Price and trades</h2>\n"
        if data.price.isEmpty {
            h += "<p class=\"sub\">The data file \(Self.escape(c.data)) is not available here.</p>\n"
        } else {
            h += chart(id: "price", points: data.price, color: "#334155", fill: false, format: Self.money)
            if !data.markers.isEmpty {
                let shown = data.markers.count / 2
                h += "<p class=\"sub\">" + (shown < data.tradeCount ? "The last \(shown) of \(data.tradeCount) trades"
                                                                   : "All \(shown) trades")
                    + ": ▲ entry, ▼ exit; green long, red short.</p>\n"
                h += chart(id: "trades", points: data.recentPrice, color: "#334155", fill: false, format: Self.money,
                           markers: data.markers)
            }
        }
        h += "<h2>Monthly returns</h2>\n" + monthlyTable()
        h += "<h2>Metrics</h2>\n<table>\n"
        for (k, v) in metrics { h += "<tr><td class=\"k\">\(Self.escape(k))</td><td>\(Self.escape(v))</td></tr>\n" }
        h += "</table>\n<h2>Manifest (run.json)</h2>\n<pre>\(Self.escape(manifestText))</pre>\n"
        h += script
        h += "</body></html>\n"
        return h
    }

    /// A line chart of `points` with the value range on the left and year ticks along the bottom.
    private func chart(id: String, points: [ReportData.Point], color: String, fill: Bool,
                       format: (Double) -> String, markers: [ReportData.Marker] = []) -> String {
        let w = Self.width, h = Self.height, p = Self.pad
        guard let first = points.first, let last = points.last else {
            return "<p class=\"sub\">No data.</p>\n"
        }
        var lo = points.map(\.value).min()!, hi = points.map(\.value).max()!
        for m in markers { lo = min(lo, m.price); hi = max(hi, m.price) }
        if hi == lo { hi = lo + 1 }
        let t0 = Double(first.time), t1 = Double(max(last.time, first.time + 1))
        func x(_ t: Int64) -> Double { p + (Double(t) - t0) / (t1 - t0) * (w - p - 10) }
        func y(_ v: Double) -> Double { 10 + (hi - v) / (hi - lo) * (h - 34) }
        var s = "<svg id=\"\(id)\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" width=\"\(Int(w))\" height=\"\(Int(h))\" "
            + "role=\"img\" aria-label=\"\(id) chart\">\n"
        for k in 0...4 {
            let v = lo + (hi - lo) * Double(k) / 4
            s += "<line class=\"grid\" x1=\"\(Self.f(p))\" x2=\"\(Self.f(w - 10))\" y1=\"\(Self.f(y(v)))\" y2=\"\(Self.f(y(v)))\"/>"
            s += "<text x=\"\(Self.f(p - 4))\" y=\"\(Self.f(y(v) + 4))\" text-anchor=\"end\">\(Self.escape(format(v)))</text>\n"
        }
        let firstYear = Timestamps.civilFromDays(Int(Timestamps.dayIndex(first.time))).year
        let lastYear = Timestamps.civilFromDays(Int(Timestamps.dayIndex(last.time))).year
        // Year ticks, or month ticks when the chart spans less than two years.
        var ticks: [(Int64, String)] = []
        if lastYear - firstYear >= 2 {
            let step = max(1, (lastYear - firstYear + 1) / 12)
            for year in stride(from: firstYear + 1, through: lastYear, by: step) {
                ticks.append((Int64(Timestamps.daysFromCivil(year: year, month: 1, day: 1)) * Timestamps.nanosPerDay,
                              "\(year)"))
            }
        } else {
            for year in firstYear...lastYear {
                for month in 1...12 {
                    ticks.append((Int64(Timestamps.daysFromCivil(year: year, month: month, day: 1)) * Timestamps.nanosPerDay,
                                  String(format: "%04d-%02d", year, month)))
                }
            }
        }
        for (t, label) in ticks where t > first.time && t < last.time {
            s += "<line class=\"grid\" x1=\"\(Self.f(x(t)))\" x2=\"\(Self.f(x(t)))\" y1=\"10\" y2=\"\(Self.f(h - 24))\"/>"
            s += "<text x=\"\(Self.f(x(t)))\" y=\"\(Self.f(h - 8))\" text-anchor=\"middle\">\(label)</text>\n"
        }
        let path = points.map { "\(Self.f(x($0.time))),\(Self.f(y($0.value)))" }.joined(separator: " ")
        if fill {
            s += "<polygon points=\"\(Self.f(x(first.time))),\(Self.f(y(0))) \(path) \(Self.f(x(last.time))),\(Self.f(y(0)))\" "
                + "fill=\"\(color)\" fill-opacity=\"0.25\" stroke=\"none\"/>\n"
        }
        s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.4\"/>\n"
        for m in markers {
            let mx = x(m.time), my = y(m.price)
            let colour = m.isLong ? "#16a34a" : "#dc2626"
            let tri = m.isEntry
                ? "\(Self.f(mx)),\(Self.f(my - 6)) \(Self.f(mx - 4)),\(Self.f(my + 1)) \(Self.f(mx + 4)),\(Self.f(my + 1))"
                : "\(Self.f(mx)),\(Self.f(my + 6)) \(Self.f(mx - 4)),\(Self.f(my - 1)) \(Self.f(mx + 4)),\(Self.f(my - 1))"
            s += "<polygon class=\"marker\" points=\"\(tri)\" fill=\"\(colour)\" fill-opacity=\"\(m.isEntry ? "0.9" : "0.5")\"/>\n"
        }
        s += "<line id=\"\(id)-cursor\" x1=\"0\" x2=\"0\" y1=\"10\" y2=\"\(Self.f(h - 24))\" stroke=\"#94a3b8\" visibility=\"hidden\"/>\n"
        s += "</svg>\n"
        if id == "equity" {
            let times = points.map { "\"\(Timestamps.iso8601($0.time))\"" }.joined(separator: ",")
            let values = points.map { Self.f($0.value) }.joined(separator: ",")
            s += "<script>window.equitySeries={x0:\(Self.f(p)),x1:\(Self.f(w - 10)),t:[\(times)],v:[\(values)]};</script>\n"
        }
        return s
    }

    /// One row per year, one column per month, and the compounded year.
    private func monthlyTable() -> String {
        guard !data.months.isEmpty else { return "<p class=\"sub\">No data.</p>\n" }
        let names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var byYear: [Int: [Int: Double]] = [:]
        for m in data.months { byYear[m.year, default: [:]][m.month] = m.value }
        var s = "<table><tr><th>year</th>" + names.map { "<th>\($0)</th>" }.joined() + "<th>total</th></tr>\n"
        for year in byYear.keys.sorted() {
            let months = byYear[year]!
            s += "<tr><th>\(year)</th>"
            var compound = 1.0
            for m in 1...12 {
                if let v = months[m] {
                    compound *= 1 + v
                    s += "<td style=\"background:\(Self.heat(v))\">\(Self.percent(v))</td>"
                } else {
                    s += "<td></td>"
                }
            }
            s += "<td style=\"background:\(Self.heat((compound - 1) / 4))\"><b>\(Self.percent(compound - 1))</b></td></tr>\n"
        }
        return s + "</table>\n"
    }

    private var script: String {
        """
        <script>
        (function () {
          var s = window.equitySeries, svg = document.getElementById("equity");
          var cursor = document.getElementById("equity-cursor"), out = document.getElementById("readout");
          if (!s || !svg) return;
          svg.addEventListener("mousemove", function (e) {
            var r = svg.getBoundingClientRect(), x = (e.clientX - r.left) * (svg.viewBox.baseVal.width / r.width);
            var i = Math.round((x - s.x0) / (s.x1 - s.x0) * (s.v.length - 1));
            if (i < 0 || i >= s.v.length) return;
            cursor.setAttribute("x1", x); cursor.setAttribute("x2", x); cursor.setAttribute("visibility", "visible");
            out.textContent = s.t[i] + "  equity " + s.v[i].toLocaleString(undefined, {maximumFractionDigits: 2});
          });
          svg.addEventListener("mouseleave", function () { cursor.setAttribute("visibility", "hidden"); });
        })();
        </script>

        """
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }
    static func money(_ v: Double) -> String { String(format: abs(v) >= 1000 ? "%.0f" : "%.2f", v) }
    static func percent(_ v: Double) -> String { String(format: "%.1f%%", v * 100) }

    /// Green for gains, red for losses, stronger with size (±10 % is full strength).
    static func heat(_ v: Double) -> String {
        let a = min(1, abs(v) / 0.10) * 0.55 + 0.05
        return v >= 0 ? String(format: "rgba(22,163,74,%.2f)", a) : String(format: "rgba(220,38,38,%.2f)", a)
    }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}
