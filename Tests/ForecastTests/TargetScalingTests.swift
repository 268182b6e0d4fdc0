import Logging
import Testing
import TradingCore
@testable import Forecast

/// The network learns standardised next-bar returns, so its predictions come back in the data's units whatever the
/// market's volatility: a quiet FX-like series and a loud equity-like one give predictions of their own size.
@Suite(.timeLimit(.minutes(2))) struct TargetScalingTests {
    /// A seeded random walk of hourly bars whose returns have mean absolute size about `scale`.
    static func walk(_ n: Int, scale: Double, seed: UInt64) -> BarSeries {
        var rng = SeededRandom(seed: seed)
        var close = 100.0
        var rows: [Bar] = []
        for i in 0..<n {
            let r = Double.random(in: -2...2, using: &rng) * scale
            let open = close
            close *= 1 + r
            rows.append(Bar(time: Int64(i) * 3_600_000_000_000, open: open, high: max(open, close) * (1 + scale / 4),
                            low: min(open, close) * (1 - scale / 4), close: close,
                            volume: 1_000 + Double.random(in: 0...500, using: &rng)))
        }
        return BarSeries(symbol: "W", bars: rows)
    }

    static func meanAbsoluteReturn(_ bars: BarSeries) -> Double {
        var sum = 0.0
        for t in 1..<bars.count { sum += abs(bars.close[t] / bars.close[t - 1] - 1) }
        return sum / Double(bars.count - 1)
    }

    @Test(arguments: [0.0006, 0.02])
    func predictionsHaveTheScaleOfTheData(scale: Double) throws {
        let bars = Self.walk(1_200, scale: scale, seed: 17)
        let model = try ForecastPipeline(logger: Logger(label: "test")).train(
            bars: bars, dataPath: "walk", dataSHA256: "", modelID: "walk",
            hyperparameters: try ModelRegistryTests.tinyHyperparameters())
        // The target statistics come from the training windows' returns.
        #expect(model.scaler.scalesTarget)
        #expect(model.scaler.targetDeviation > scale / 3 && model.scaler.targetDeviation < scale * 3)
        let predictions = ForecastPipeline.predict(model, bars: bars)
        let meanPredicted = predictions.map { abs($0.predictedReturn) }.reduce(0, +) / Double(predictions.count)
        let ratio = meanPredicted / Self.meanAbsoluteReturn(bars)
        // Unscaled, the quiet series' predictions were tens of times its moves; scaled, they stay below them.
        #expect(ratio < 3, "mean |predicted| / mean |return| = \(ratio)")
        #expect(ratio > 0.001, "mean |predicted| / mean |return| = \(ratio)")
    }

    @Test func theTargetStatisticsRoundTripThroughTheRegistryFiles() throws {
        let scaler = StandardScaler(means: [1, 2], deviations: [3, 4], targetMean: 0.000123456789,
                                    targetDeviation: 0.00061)
        let entry = ModelRegistryEntry(hyperparameters: try ModelRegistryTests.tinyHyperparameters(),
                                       network: LSTMNetwork(inputDim: 2, units: [3]), scaler: scaler,
                                       metadata: .init(modelID: "m", dataPath: "", dataSHA256: "", trainingStart: 0,
                                                       trainingEnd: 0, trainingBars: 0, epochs: [],
                                                       fileHashes: []))
        #expect(try StandardScaler.parse(entry.scalerJSON, file: "scaler.json") == scaler)
        // A scaler without target keys (models trained before, Keras imports) maps outputs unchanged.
        let plain = try StandardScaler.parse(#"{"means": [1], "deviations": [2]}"#, file: "scaler.json")
        #expect(!plain.scalesTarget)
        #expect(plain.unscaleTarget(0.25) == 0.25)
        #expect(throws: ForecastError.self) {
            try StandardScaler.parse(#"{"means": [1], "deviations": [2], "target_deviation": 0}"#, file: "s.json")
        }
    }
}
