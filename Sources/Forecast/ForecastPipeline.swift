import Logging
import TradingCore

/// Training, prediction and evaluation over a bar series with one feature pipeline.
public struct ForecastPipeline: Sendable {
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// The bar index where the out-of-sample part starts.
    static func trainEnd(bars: Int, fraction: Double) -> Int { Int(Double(bars) * fraction) }

    /// Fits the scaler and trains the network on the leading `trainFraction` of `bars`.
    public func train(bars: BarSeries, dataPath: String, dataSHA256: String, modelID: String,
                      hyperparameters h: ModelHyperparameters,
                      progress: (EpochReport) -> Void = { _ in }) throws -> ModelRegistryEntry {
        let matrix = FeatureMatrix(bars: bars, features: h.features)
        let end = Self.trainEnd(bars: bars.count, fraction: h.trainFraction)
        let needed = matrix.firstValidRow + h.tsteps + 10
        guard end >= needed else {
            let total = Int((Double(needed) / h.trainFraction).rounded(.up))
            throw ForecastError.notEnoughData("\(dataPath): \(bars.count) bars; training needs at least \(total) "
                + "(feature warm-up \(matrix.firstValidRow) + tsteps \(h.tsteps) + 10 windows, in the first "
                + "\(h.trainFraction) of the data)")
        }
        let inputScaler = try StandardScaler(fitting: matrix, rows: matrix.firstValidRow..<end)
        // Windows whose target (the next close) is still inside the training slice.
        let data = WindowDataset(matrix: matrix, scaler: inputScaler, bars: bars, tsteps: h.tsteps,
                                 rows: 0..<(end - 1))
        let windows = (0..<data.count).map { Array(data.window($0)) }
        // The network learns standardised returns: raw hourly returns are so small (0.06 % in FX) that an
        // unscaled target leaves the output layer's initial scale, not the data's, in every prediction.
        let scaler = inputScaler.fittingTarget(data.targets)
        let targets = data.targets.map(scaler.scaleTarget)
        logger.info("training", metadata: ["windows": "\(windows.count)", "inputs": "\(matrix.columns)",
                                           "units": "\(h.training.units)"])
        let (network, epochs) = try LSTMTrainer(settings: h.training, logger: logger)
            .train(windows: windows, targets: targets, inputDim: matrix.columns, progress: progress)
        let metadata = ModelRegistryEntry.Metadata(
            modelID: modelID, dataPath: dataPath, dataSHA256: dataSHA256, trainingStart: bars.time[0],
            trainingEnd: bars.time[end - 1], trainingBars: end, epochs: epochs, fileHashes: [])
        return ModelRegistryEntry(hyperparameters: h, network: network, scaler: scaler, metadata: metadata)
    }

    /// One prediction per bar that has a full window: made at the bar's close for the next bar's return.
    public static func predict(_ model: ModelRegistryEntry, bars: BarSeries) -> [Prediction] {
        let h = model.hyperparameters
        let matrix = FeatureMatrix(bars: bars, features: h.features)
        let data = WindowDataset(matrix: matrix, scaler: model.scaler, bars: bars, tsteps: h.tsteps,
                                 rows: 0..<bars.count)
        let returns = model.network.predictions(windows: data.inputs, tsteps: h.tsteps)
        return (0..<data.count).map { i in
            let t = data.endRows[i]
            let r = model.scaler.unscaleTarget(returns[i])
            return Prediction(time: bars.time[t], predictedPrice: bars.close[t] * (1 + r), predictedReturn: r)
        }
    }

    /// The same predictions made one bar at a time through `PredictionStream`, exactly as the prediction service
    /// makes them on the bus — what backtests with `model:` use, so that a replay equals the in-process run bit for
    /// bit (`predict` computes windows in batches, whose sums may differ in the last bits).
    public static func predictStreaming(_ model: ModelRegistryEntry, bars: BarSeries) -> [Prediction] {
        var stream = PredictionStream(model: model)
        var predictions: [Prediction] = []
        predictions.reserveCapacity(max(0, bars.count - stream.barsBeforeFirstPrediction))
        for t in 0..<bars.count {
            if let p = stream.append(bars[t]) { predictions.append(p) }
        }
        return predictions
    }

    /// Walk-forward predictions: every `retrainEvery` bars a new model is trained on the `trainBars` bars before
    /// bar t (scaler and network see nothing at or after t) and predicts bars t ..< t + retrainEvery. Each
    /// prediction therefore comes from a model trained only on bars before it.
    public func walkForward(bars: BarSeries, hyperparameters: ModelHyperparameters, trainBars: Int,
                            retrainEvery: Int, progress: (Int, Int) -> Void = { _, _ in }) throws -> [Prediction] {
        guard trainBars < bars.count, retrainEvery > 0 else {
            throw ForecastError.badRange("walk-forward needs train_bars < \(bars.count) bars and retrain_every > 0")
        }
        var h = hyperparameters
        h.trainFraction = 1
        let matrix = FeatureMatrix(bars: bars, features: h.features)
        let starts = Array(stride(from: trainBars, to: bars.count, by: retrainEvery))
        var out: [Prediction] = []
        for (k, t) in starts.enumerated() {
            let history = bars.slice(start: bars.time[t - trainBars], end: bars.time[t - 1])
            let model = try train(bars: history, dataPath: "walk-forward", dataSHA256: "", modelID: "wf-\(t)",
                                  hyperparameters: h)
            let end = min(t + retrainEvery, bars.count)
            let data = WindowDataset(matrix: matrix, scaler: model.scaler, bars: bars, tsteps: h.tsteps, rows: t..<end)
            let returns = model.network.predictions(windows: data.inputs, tsteps: h.tsteps)
            for i in 0..<data.count {
                let row = data.endRows[i]
                let r = model.scaler.unscaleTarget(returns[i])
                out.append(Prediction(time: bars.time[row], predictedPrice: bars.close[row] * (1 + r), predictedReturn: r))
            }
            progress(k + 1, starts.count)
        }
        return out
    }

    /// Out-of-sample accuracy of the model against naive baselines on the bars after the training slice.
    public static func evaluate(_ model: ModelRegistryEntry, bars: BarSeries) throws -> ForecastEvaluation {
        let h = model.hyperparameters
        let end = trainEnd(bars: bars.count, fraction: h.trainFraction)
        guard end + 2 < bars.count else {
            throw ForecastError.notEnoughData("no out-of-sample bars: train_fraction \(h.trainFraction) of "
                                              + "\(bars.count) bars leaves none")
        }
        var predicted = [Double](repeating: .nan, count: bars.count)
        var row = 0
        for p in predict(model, bars: bars) {
            while row < bars.count && bars.time[row] < p.time { row += 1 }
            if row < bars.count && bars.time[row] == p.time { predicted[row] = p.predictedReturn }
        }
        return try ForecastEvaluation(bars: bars, predictedReturns: predicted, from: end, fitEnd: end)
    }
}

/// Accuracy of one forecaster: MSE, MAE and directional accuracy (share of right signs among non-zero
/// forecasts and outcomes; nil when the forecaster never commits to a direction).
public struct ForecastScore: Sendable, Equatable {
    public var name: String
    public var count = 0
    private var squared = 0.0, absolute = 0.0, directional = 0, directionalTotal = 0

    public init(name: String) {
        self.name = name
    }

    mutating func add(forecast: Double, actual: Double) {
        count += 1
        squared += (forecast - actual) * (forecast - actual)
        absolute += abs(forecast - actual)
        if forecast != 0 && actual != 0 {
            directionalTotal += 1
            if (forecast > 0) == (actual > 0) { directional += 1 }
        }
    }

    public var mse: Double { count > 0 ? squared / Double(count) : .nan }
    public var mae: Double { count > 0 ? absolute / Double(count) : .nan }
    public var directionalAccuracy: Double? {
        directionalTotal > 0 ? Double(directional) / Double(directionalTotal) : nil
    }
}
