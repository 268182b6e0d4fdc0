import TradingCore
import Foundation
/// What the loader sees in a bars file, for `Backtester validate`: the detected format and columns, the bars'
/// range, the bar size, the gaps longer than it and the rows skipped.
public struct BarFileReport: Sendable {
    /// The bar size: the smallest interval between consecutive bars (`BarInterval.infer`), in nanoseconds.
    public var barSize: Int64
    /// Intervals between consecutive bars longer than the bar size (nights, weekends, holidays, missing data).
    public var gapCount: Int
    /// The longest intervals, longest first (at most three): the time before the gap and its length.
    public var longestGaps: [(after: Int64, length: Int64)]
    private let load: BarLoadResult
    private let file: String

    /// Describes `load`, the result of loading `file`.
    public init(load: BarLoadResult, file: String) {
        self.load = load
        self.file = file
        let times = load.series.time
        barSize = BarInterval.infer(times: times)
        var gaps: [(after: Int64, length: Int64)] = []
        var count = 0
        if times.count > 1 {
            for k in 1..<times.count where times[k] - times[k - 1] > barSize {
                count += 1
                gaps.append((times[k - 1], times[k] - times[k - 1]))
                if gaps.count > 3 {
                    gaps.sort { $0.length > $1.length }
                    gaps.removeLast()
                }
            }
        }
        gapCount = count
        longestGaps = gaps.sorted { $0.length > $1.length }
    }

    /// The report, one fact per line.
    public var text: String {
        let series = load.series
        var lines = [
            "file        \(file)",
            "format      \(load.format.summary)",
            "columns     " + load.format.columns.joined(separator: ", "),
            "bars        \(series.count)  (\(Timestamps.iso8601(series.time.first ?? 0)) .. "
                + "\(Timestamps.iso8601(series.time.last ?? 0)))",
            "bar size    " + (barSize > 0 ? Self.duration(barSize) : "n/a (one bar)")
                + "   bars per year \(String(format: "%.1f", load.barsPerYear))",
        ]
        var gapLine = "gaps        \(gapCount) interval\(gapCount == 1 ? "" : "s") longer than the bar size"
        if !longestGaps.isEmpty {
            gapLine += "; longest: " + longestGaps
                .map { "\(Self.duration($0.length)) after \(Timestamps.iso8601($0.after))" }
                .joined(separator: ", ")
        }
        lines.append(gapLine)
        lines.append("bad rows    \(load.skipped.count)" + (load.skipped.isEmpty ? "" : " skipped"))
        for issue in load.skipped.prefix(10) { lines.append("  \(issue)") }
        if load.skipped.count > 10 { lines.append("  … and \(load.skipped.count - 10) more") }
        return lines.joined(separator: "\n")
    }

    /// A duration as days, hours, minutes and seconds (`1h`, `2d 17h`, `15m`, `0.5s`).
    static func duration(_ nanos: Int64) -> String {
        var seconds = nanos / Timestamps.nanosPerSecond
        let fraction = nanos % Timestamps.nanosPerSecond
        if seconds == 0 { return String(format: "%gs", Double(fraction) / 1e9) }
        var parts: [String] = []
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60)] where seconds >= size {
            parts.append("\(seconds / size)\(unit)")
            seconds %= size
        }
        if seconds > 0 { parts.append("\(seconds)s") }
        return parts.joined(separator: " ")
    }
}
