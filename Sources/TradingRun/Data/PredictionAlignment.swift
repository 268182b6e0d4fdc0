import TradingCore
/// Predictions joined to a bar series by exact time.
public struct PredictionAlignment: Sendable, Equatable {
    /// One value per bar: the predicted next-bar return made at that bar's close, `.nan` where there is none.
    public var predictedReturns: [Double]
    /// One value per bar: the predicted next-bar price, `.nan` where there is none.
    public var predictedPrices: [Double]
    /// Bars that have no prediction.
    public var missingBars: Int
    /// Predictions whose time matches no bar (they are not used).
    public var unmatchedPredictions: Int
    /// Predictions whose time lies between the first and the last bar's (inclusive), matched or not.
    public var predictionsWithinBars: Int
    /// The time of the first bar without a prediction, if any.
    public var firstBarWithoutPrediction: Int64?
    /// The time of the first prediction between the first and the last bar that matches no bar, if any.
    public var firstPredictionWithoutBar: Int64?

    public init(predictedReturns: [Double], predictedPrices: [Double], missingBars: Int, unmatchedPredictions: Int,
                predictionsWithinBars: Int = 0, firstBarWithoutPrediction: Int64? = nil,
                firstPredictionWithoutBar: Int64? = nil) {
        self.predictedReturns = predictedReturns
        self.predictedPrices = predictedPrices
        self.missingBars = missingBars
        self.unmatchedPredictions = unmatchedPredictions
        self.predictionsWithinBars = predictionsWithinBars
        self.firstBarWithoutPrediction = firstBarWithoutPrediction
        self.firstPredictionWithoutBar = firstPredictionWithoutBar
    }

    /// Predictions that matched a bar.
    public var matched: Int { predictedReturns.count - missingBars }

    /// Whether the predictions plausibly belong to the bars: at least one matches a bar, and at least half of
    /// those between the first and the last bar do. Predictions that cover only part of the bars (a test
    /// period), or reach beyond them, pass; predictions stamped off the bars' grid (15 minutes late, at midnight
    /// for intraday bars, in another time zone) fail.
    public var isPlausible: Bool {
        matched > 0 && 2 * matched >= predictionsWithinBars
    }

    /// Why the predictions do not plausibly belong to the bars (nil when they do), naming both files' first
    /// unmatched times.
    public func implausibility(predictionsFile: String, barsFile: String) -> String? {
        guard !isPlausible else { return nil }
        var text = "only \(matched) of the \(predictionsWithinBars) predictions in \(predictionsFile) that fall within "
            + "the bars' time range match a bar time in \(barsFile) (predictions are joined to bars by exact time)"
        if let t = firstBarWithoutPrediction {
            text += "; first bar without a prediction: \(Timestamps.iso8601(t)) (\(barsFile))"
        }
        if let t = firstPredictionWithoutBar {
            text += "; first prediction without a bar: \(Timestamps.iso8601(t)) (\(predictionsFile))"
        }
        return text + "; set allow_missing_predictions: true (or --allow-missing-predictions) to run anyway"
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.missingBars == b.missingBars && a.unmatchedPredictions == b.unmatchedPredictions
            && a.predictionsWithinBars == b.predictionsWithinBars
            && a.firstBarWithoutPrediction == b.firstBarWithoutPrediction
            && a.firstPredictionWithoutBar == b.firstPredictionWithoutBar
            && sameBits(a.predictedReturns, b.predictedReturns) && sameBits(a.predictedPrices, b.predictedPrices)
    }

    private static func sameBits(_ x: [Double], _ y: [Double]) -> Bool {
        x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern }
    }
}
