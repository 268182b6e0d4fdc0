/// A model's prediction made at the close of the bar stamped `time`, for the next bar's return
/// (`Close[t+1] / Close[t] - 1`). `predictedPrice = Close[t] * (1 + predictedReturn)`.
public struct Prediction: Sendable, Hashable {
    public var time: Int64
    public var predictedPrice: Double
    public var predictedReturn: Double

    public init(time: Int64, predictedPrice: Double, predictedReturn: Double) {
        self.time = time
        self.predictedPrice = predictedPrice
        self.predictedReturn = predictedReturn
    }
}
