import Yams

/// Per-column standardisation, fitted on the training rows only and saved with the model, so that every later
/// input is scaled with statistics from the past; and the same for the target (the next bar's return), so that the
/// network learns a quantity of unit scale whatever the market's volatility and its outputs are mapped back.
public struct StandardScaler: Sendable, Equatable {
    public var means: [Double]
    public var deviations: [Double]
    /// The training targets' mean and deviation; 0 and 1 (no scaling) for models trained without them, such as
    /// networks imported from Keras.
    public var targetMean: Double
    public var targetDeviation: Double

    public init(means: [Double], deviations: [Double], targetMean: Double = 0, targetDeviation: Double = 1) {
        self.means = means
        self.deviations = deviations
        self.targetMean = targetMean
        self.targetDeviation = targetDeviation
    }

    /// Whether the target is scaled at all.
    public var scalesTarget: Bool { targetMean != 0 || targetDeviation != 1 }

    /// This scaler with the target's statistics fitted on `targets` (the training windows' next-bar returns). A
    /// constant target gets deviation 1.
    public func fittingTarget(_ targets: [Double]) -> StandardScaler {
        guard !targets.isEmpty else { return self }
        var sum = 0.0
        for y in targets { sum += y }
        let m = sum / Double(targets.count)
        var sq = 0.0
        for y in targets { sq += (y - m) * (y - m) }
        let sd = (sq / Double(targets.count)).squareRoot()
        var fitted = self
        fitted.targetMean = m
        fitted.targetDeviation = sd > 0 ? sd : 1
        return fitted
    }

    /// A target in the network's units.
    @inline(__always)
    public func scaleTarget(_ y: Double) -> Double { (y - targetMean) / targetDeviation }

    /// A network output back in returns.
    @inline(__always)
    public func unscaleTarget(_ y: Double) -> Double { y * targetDeviation + targetMean }

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
        targetMean = 0
        targetDeviation = 1
    }

    /// Reads `{"means": [...], "deviations": [...], "target_mean": m, "target_deviation": d}` (numbers parsed
    /// exactly); the two target keys are optional (absent: no target scaling).
    public static func parse(_ text: String, file: String) throws -> StandardScaler {
        guard let node = (try? Yams.compose(yaml: text)) ?? nil,
              let means = node["means"]?.sequence?.compactMap({ $0.string.flatMap(Double.init) }),
              let deviations = node["deviations"]?.sequence?.compactMap({ $0.string.flatMap(Double.init) }),
              means.count == deviations.count, !means.isEmpty, deviations.allSatisfy({ $0 > 0 }) else {
            throw ForecastError.badModel("\(file): expected {\"means\": [...], \"deviations\": [...]} with positive "
                                         + "deviations, one per column")
        }
        func number(_ key: String, default value: Double) throws -> Double {
            guard let field = node[key] else { return value }
            guard let text = field.string, let x = Double(text), x.isFinite else {
                throw ForecastError.badModel("\(file): \(key): expected a number, got '\(field.string ?? "?")'")
            }
            return x
        }
        let targetMean = try number("target_mean", default: 0)
        let targetDeviation = try number("target_deviation", default: 1)
        guard targetDeviation > 0 else {
            throw ForecastError.badModel("\(file): target_deviation: must be positive, got \(targetDeviation)")
        }
        return StandardScaler(means: means, deviations: deviations, targetMean: targetMean,
                              targetDeviation: targetDeviation)
    }

    /// The scaled value of column `c`.
    @inline(__always)
    public func scale(_ value: Double, column c: Int) -> Double { (value - means[c]) / deviations[c] }
}
