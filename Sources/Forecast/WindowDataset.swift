import TradingCore

/// Model inputs: for each bar t with a full window, the scaled features of bars `t−tsteps+1 … t` (oldest first)
/// and, when bar t+1 exists, the target `Close[t+1] / Close[t] − 1`.
public struct WindowDataset: Sendable {
    public let tsteps: Int
    public let columns: Int
    /// The bar index each window ends at, ascending.
    public let endRows: [Int]
    /// `endRows.count × tsteps × columns` values.
    public let inputs: [Double]
    /// The next bar's return per window; NaN for a window ending at the last bar.
    public let targets: [Double]

    /// Windows ending at each row of `rows` that has a full, valid window.
    public init(matrix: FeatureMatrix, scaler: StandardScaler, bars: BarSeries, tsteps: Int, rows: Range<Int>) {
        self.tsteps = tsteps
        columns = matrix.columns
        let first = max(rows.lowerBound, matrix.firstValidRow + tsteps - 1)
        let ends = first < rows.upperBound ? Array(first..<rows.upperBound) : []
        var inputs = [Double]()
        inputs.reserveCapacity(ends.count * tsteps * matrix.columns)
        var targets = [Double]()
        targets.reserveCapacity(ends.count)
        for t in ends {
            for r in (t - tsteps + 1)...t {
                for c in 0..<matrix.columns { inputs.append(scaler.scale(matrix[r, c], column: c)) }
            }
            targets.append(t + 1 < bars.count ? bars.close[t + 1] / bars.close[t] - 1 : .nan)
        }
        endRows = ends
        self.inputs = inputs
        self.targets = targets
    }

    public var count: Int { endRows.count }

    /// The input values of window `i` (`tsteps × columns`, oldest bar first).
    public func window(_ i: Int) -> ArraySlice<Double> {
        let size = tsteps * columns
        return inputs[(i * size)..<((i + 1) * size)]
    }
}
