import Foundation
import TradingCore

/// Features of every bar of a series, row-major (`rows × columns`), computed by one pipeline for training,
/// offline prediction and the live service. Rows before `firstValidRow` are warm-up rows whose values are
/// undefined (NaN).
public struct FeatureMatrix: Sendable, Equatable {
    public let features: [Feature]
    public let rows: Int
    public let columns: Int
    public var values: [Double]
    /// The first row where every feature is defined.
    public let firstValidRow: Int

    public subscript(row: Int, column: Int) -> Double { values[row * columns + column] }

    /// Column names in order (two- and three-column features get `_sin`/`_cos` or `_line`/`_signal`/`_hist`).
    public var columnNames: [String] { Self.columnNames(features) }

    public static func columnNames(_ features: [Feature]) -> [String] {
        features.flatMap { f -> [String] in
            switch f {
            case .macd: [f.name + "_line", f.name + "_signal", f.name + "_hist"]
            case .hourOfDay, .dayOfWeek: [f.name + "_sin", f.name + "_cos"]
            default: [f.name]
            }
        }
    }

    /// Computes `features` for every bar of `bars`.
    public init(bars: BarSeries, features: [Feature]) {
        self.features = features
        rows = bars.count
        columns = features.reduce(0) { $0 + $1.width }
        firstValidRow = min(bars.count, features.map(\.warmUp).max() ?? 0)
        var values = [Double](repeating: .nan, count: rows * columns)
        var column = 0
        for feature in features {
            let cols = Self.compute(feature, bars)
            for (k, col) in cols.enumerated() {
                for r in 0..<rows { values[r * columns + column + k] = col[r] }
            }
            column += feature.width
        }
        self.values = values
    }

    static func compute(_ feature: Feature, _ bars: BarSeries) -> [[Double]] {
        let n = bars.count
        let close = bars.close
        var out = [Double](repeating: .nan, count: n)
        switch feature {
        case .logReturn:
            for t in stride(from: 1, to: n, by: 1) { out[t] = log(close[t] / close[t - 1]) }
            return [out]
        case .volatility(let w):
            var r = [Double](repeating: .nan, count: n)
            for t in stride(from: 1, to: n, by: 1) { r[t] = log(close[t] / close[t - 1]) }
            for t in stride(from: w, to: n, by: 1) { out[t] = sampleSD(r[(t - w + 1)...t]) }
            return [out]
        case .smaRatio(let w):
            for t in stride(from: w - 1, to: n, by: 1) { out[t] = close[t] / mean(close[(t - w + 1)...t]) - 1 }
            return [out]
        case .rsi(let p):
            var rsi = WilderRSI(period: p)
            for t in 0..<n { out[t] = rsi.update(close[t]).map { $0 / 100 } ?? .nan }
            return [out]
        case .macd(let fast, let slow, let signal):
            let emaFast = ema(close, fast), emaSlow = ema(close, slow)
            var line = [Double](repeating: .nan, count: n)
            for t in stride(from: slow - 1, to: n, by: 1) { line[t] = emaFast[t] - emaSlow[t] }
            let signalLine = ema(line, signal, start: slow - 1)
            var l = out, s = out, h = out
            for t in stride(from: slow + signal - 2, to: n, by: 1) {
                l[t] = line[t] / close[t]
                s[t] = signalLine[t] / close[t]
                h[t] = (line[t] - signalLine[t]) / close[t]
            }
            return [l, s, h]
        case .bollingerPercentB(let w):
            for t in stride(from: w - 1, to: n, by: 1) {
                let window = close[(t - w + 1)...t]
                let m = mean(window), sd = populationSD(window)
                out[t] = sd > 0 ? (close[t] - (m - 2 * sd)) / (4 * sd) : 0.5
            }
            return [out]
        case .volumeZScore(let w):
            let v = bars.volume
            for t in stride(from: w - 1, to: n, by: 1) {
                let window = v[(t - w + 1)...t]
                let sd = sampleSD(window)
                out[t] = sd > 0 ? (v[t] - mean(window)) / sd : 0
            }
            return [out]
        case .hourOfDay:
            var s = out, c = out
            for t in 0..<n {
                let secondsOfDay = Double(bars.time[t] - Timestamps.dayIndex(bars.time[t]) * Timestamps.nanosPerDay)
                    / Double(Timestamps.nanosPerSecond)
                let angle = 2 * Double.pi * secondsOfDay / 86_400
                s[t] = sin(angle); c[t] = cos(angle)
            }
            return [s, c]
        case .dayOfWeek:
            var s = out, c = out
            for t in 0..<n {
                // 1970-01-01 was a Thursday: day 0 → 3 with Monday = 0.
                let dow = Double((Timestamps.dayIndex(bars.time[t]) + 3) % 7)
                let angle = 2 * Double.pi * dow / 7
                s[t] = sin(angle); c[t] = cos(angle)
            }
            return [s, c]
        }
    }

    /// Exponential moving average seeded with the simple average of the first `period` values from `start`.
    static func ema(_ x: [Double], _ period: Int, start: Int = 0) -> [Double] {
        var out = [Double](repeating: .nan, count: x.count)
        let seedEnd = start + period - 1
        guard seedEnd < x.count else { return out }
        var value = mean(x[start...seedEnd])
        out[seedEnd] = value
        let k = 2 / Double(period + 1)
        for t in stride(from: seedEnd + 1, to: x.count, by: 1) {
            value += k * (x[t] - value)
            out[t] = value
        }
        return out
    }

    static func mean(_ x: ArraySlice<Double>) -> Double { x.reduce(0, +) / Double(x.count) }

    static func sampleSD(_ x: ArraySlice<Double>) -> Double {
        guard x.count > 1 else { return 0 }
        let m = mean(x)
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
    }

    static func populationSD(_ x: ArraySlice<Double>) -> Double {
        let m = mean(x)
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)).squareRoot()
    }
}
