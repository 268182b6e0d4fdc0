import Yams

/// Per-column standardisation, fitted on the training rows only and saved with the model, so that every later
/// input is scaled with statistics from the past.
public struct StandardScaler: Sendable, Equatable {
    public var means: [Double]
    public var deviations: [Double]

    public init(means: [Double], deviations: [Double]) {
        self.means = means
        self.deviations = deviations
    }

    /// Fits on `rows` of `matrix` (all of them must be valid rows). A constant column gets deviation 1.
    public init(fitting matrix: FeatureMatrix, rows: Range<Int>) throws {
        guard rows.lowerBound >= matrix.firstValidRow, rows.upperBound <= matrix.rows, rows.count > 1 else {
            throw ForecastError.badRange("scaler rows \(rows) must lie in \(matrix.firstValidRow)..<\(matrix.rows) "
                                         + "and hold at least 2 rows")
        }
        var means = [Double](repeating: 0, count: matrix.columns)
        var deviations = [Double](repeating: 1, count: matrix.columns)
        for c in 0..<matrix.columns {
            var sum = 0.0
            for r in rows { sum += matrix[r, c] }
            let m = sum / Double(rows.count)
            var sq = 0.0
            for r in rows { sq += (matrix[r, c] - m) * (matrix[r, c] - m) }
            let sd = (sq / Double(rows.count)).squareRoot()
            means[c] = m
            deviations[c] = sd > 0 ? sd : 1
        }
        self.means = means
        self.deviations = deviations
    }

    /// Reads `{"means": [...], "deviations": [...]}` (numbers parsed exactly).
    public static func parse(_ text: String, file: String) throws -> StandardScaler {
        guard let node = (try? Yams.compose(yaml: text)) ?? nil,
              let means = node["means"]?.sequence?.compactMap({ $0.string.flatMap(Double.init) }),
              let deviations = node["deviations"]?.sequence?.compactMap({ $0.string.flatMap(Double.init) }),
              means.count == deviations.count, !means.isEmpty, deviations.allSatisfy({ $0 > 0 }) else {
            throw ForecastError.badModel("\(file): expected {\"means\": [...], \"deviations\": [...]} with positive "
                                         + "deviations, one per column")
        }
        return StandardScaler(means: means, deviations: deviations)
    }

    /// The scaled value of column `c`.
    @inline(__always)
    public func scale(_ value: Double, column c: Int) -> Double { (value - means[c]) / deviations[c] }
}
