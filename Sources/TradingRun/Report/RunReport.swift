import TradingCore
import Foundation

/// Writes `report.html` into a results directory: one self-contained page (inline SVG and CSS, a few lines of
/// script for the hover read-out, no network fetches) with the equity curve, the drawdown, the price with trade
/// markers, monthly returns, the metrics table and the manifest. Deterministic: the same files give the same page.
public enum RunReport {
    /// - Parameters:
    ///   - directory: holds `equity.csv`, `trades.csv`, `metrics.json` and `run.json`.
    ///   - bars: the run's bars when they are at hand; otherwise they are loaded from the manifest's data file.
    /// - Returns: the path of the report.
    @discardableResult
    public static func write(directory: String, bars: BarSeries? = nil) throws -> String {
        let manifestText = String(decoding: try read(directory + "/run.json"), as: UTF8.self)
        let manifest = try RunManifest.parse(manifestText, file: directory + "/run.json")
        let metricsText = String(decoding: try read(directory + "/metrics.json"), as: UTF8.self)
        var data = try ReportData.load(directory: directory, initialCapital: manifest.config.execution.initialCapital)
        if let bars {
            data.setPrice(bars)
        } else if FileManager.default.fileExists(atPath: manifest.config.data) {
            let load = try BarCSVLoader.load(path: manifest.config.data, symbol: manifest.config.symbol,
                                             onBadRow: manifest.config.onBadRow)
            data.setPrice(load.series.slice(start: data.firstTime, end: data.lastTime))
        }
        let html = ReportPage(data: data, manifest: manifest, manifestText: manifestText,
                              metrics: metricsRows(metricsText)).html
        let path = directory + "/report.html"
        try FileBytes.write(html, to: path)
        return path
    }

    private static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ReportError.unreadable(path) }
        return [UInt8](data)
    }

    /// The metrics in file order, as (name, value) text; a nested object's fields are prefixed with its name.
    static func metricsRows(_ text: String) -> [(String, String)] {
        var rows: [(String, String)] = []
        var prefix = ""
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("}") { prefix = ""; continue }
            guard line.hasPrefix("\""), let colon = line.range(of: "\": ") else { continue }
            let key = String(line[line.index(after: line.startIndex)..<colon.lowerBound])
            var value = String(line[colon.upperBound...])
            if value.hasSuffix(",") { value.removeLast() }
            if value == "{" {
                prefix = key + "."
                continue
            }
            if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            rows.append((prefix + key, value))
        }
        return rows
    }
}
