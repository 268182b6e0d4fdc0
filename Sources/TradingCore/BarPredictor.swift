/// Makes the prediction for a bar at its close, one bar at a time in time order: the prediction service's
/// source. A model run natively (`PredictionStream` in the forecasting library) and a cached predictions file
/// (`CachedPredictions`) are the two kinds.
public protocol BarPredictor: Sendable {
    /// The prediction made at `bar`'s close, or nil when there is none (warm-up, or no row for that time).
    mutating func predict(after bar: Bar) -> Prediction?

    /// Takes in a bar of history (before the first bar to predict) without predicting it.
    mutating func observe(_ bar: Bar)
}

extension BarPredictor {
    public mutating func observe(_ bar: Bar) { _ = predict(after: bar) }

    /// Takes in every bar of `history` older than `time`: a model's indicator warm-up and first window.
    public mutating func warmUp(with history: BarSeries, before time: Int64) {
        for t in 0..<history.count where history.time[t] < time { observe(history[t]) }
    }
}

/// Predictions read from a `Time,predicted_price,predicted_return` file, matched to bars by exact time with the
/// same merge walk `Backtester run` uses (`PredictionCSVLoader.alignment`).
public struct CachedPredictions: BarPredictor {
    private let predictions: [Prediction]
    private var next = 0

    /// - Parameter predictions: in strictly increasing time order, as the loader returns them.
    public init(_ predictions: [Prediction]) {
        self.predictions = predictions
    }

    public mutating func predict(after bar: Bar) -> Prediction? {
        while next < predictions.count && predictions[next].time < bar.time { next += 1 }
        guard next < predictions.count, predictions[next].time == bar.time else { return nil }
        defer { next += 1 }
        return predictions[next]
    }
}
