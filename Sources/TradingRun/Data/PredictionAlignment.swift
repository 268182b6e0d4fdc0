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

    public init(predictedReturns: [Double], predictedPrices: [Double], missingBars: Int, unmatchedPredictions: Int) {
        self.predictedReturns = predictedReturns
        self.predictedPrices = predictedPrices
        self.missingBars = missingBars
        self.unmatchedPredictions = unmatchedPredictions
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.missingBars == b.missingBars && a.unmatchedPredictions == b.unmatchedPredictions
            && sameBits(a.predictedReturns, b.predictedReturns) && sameBits(a.predictedPrices, b.predictedPrices)
    }

    private static func sameBits(_ x: [Double], _ y: [Double]) -> Bool {
        x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern }
    }
}
