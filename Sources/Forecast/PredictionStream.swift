import TradingCore

/// A model's predictions made one bar at a time, as the prediction service makes them on live or replayed bars.
///
/// Each appended bar goes through the model's `FeatureStream` and scaler into a rolling window of `tsteps` rows;
/// once the window is full and every feature is past its warm-up, the bar gets a prediction of the next bar's
/// return. Offline prediction (`ForecastPipeline.predict`, `Backtester run` with `model:`) runs this same code,
/// so a replay through the mesh predicts exactly what an in-process run predicts.
public struct PredictionStream: Sendable {
    public let model: ModelRegistryEntry
    private var features: FeatureStream
    private var row: [Double]
    /// The scaled rows of the last `tsteps` bars, oldest first.
    private var window: [Double] = []
    private let tsteps: Int

    public init(model: ModelRegistryEntry) {
        self.model = model
        features = FeatureStream(features: model.hyperparameters.features)
        row = [Double](repeating: .nan, count: features.columns)
        tsteps = model.hyperparameters.tsteps
        window.reserveCapacity(tsteps * features.columns)
    }

    /// Bars the stream needs before its first prediction: feature warm-up plus one window.
    public var barsBeforeFirstPrediction: Int { features.warmUp + tsteps - 1 }

    /// Appends the next bar; returns the prediction made at its close, or nil while warming up.
    public mutating func append(_ bar: Bar) -> Prediction? {
        guard roll(bar) else { return nil }
        let r = model.scaler.unscaleTarget(model.network.predict(window))
        return Prediction(time: bar.time, predictedPrice: bar.close * (1 + r), predictedReturn: r)
    }

    /// Appends a bar of history: its features and window row, without running the network.
    public mutating func observe(_ bar: Bar) { _ = roll(bar) }

    /// Computes the bar's features into the rolling window; true when a full window is ready for a prediction.
    private mutating func roll(_ bar: Bar) -> Bool {
        let t = features.count
        features.append(bar, into: &row)
        guard t >= features.warmUp else { return false }
        let columns = features.columns
        if window.count == tsteps * columns { window.removeFirst(columns) }
        for c in 0..<columns { window.append(model.scaler.scale(row[c], column: c)) }
        return t >= barsBeforeFirstPrediction
    }
}

extension PredictionStream: BarPredictor {
    public mutating func predict(after bar: Bar) -> Prediction? { append(bar) }
}
