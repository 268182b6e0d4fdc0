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

    /// Computes `features` for every bar of `bars`, one bar at a time through a `FeatureStream`.
    public init(bars: BarSeries, features: [Feature]) {
        self.features = features
        var stream = FeatureStream(features: features)
        rows = bars.count
        columns = stream.columns
        firstValidRow = min(bars.count, stream.warmUp)
        var values = [Double](repeating: .nan, count: rows * columns)
        for t in 0..<rows { stream.append(bars[t], into: &values, at: t * columns) }
        self.values = values
    }
}
