import Foundation
import Logging
import Testing
import TradingCore
import TradingRun
@testable import Forecast

@Suite(.timeLimit(.minutes(2))) struct ModelRegistryTests {
    static let root = FeaturePipelineTests.root

    static func tinyHyperparameters() throws -> ModelHyperparameters {
        try ModelHyperparameters.parse("""
            features: [log_return, rsi_14, hour_of_day]
            tsteps: 4
            units: [3]
            epochs: 2
            batch_size: 32
            seed: 5
            """, file: "test")
    }

    static func temp() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("model-\(UUID().uuidString)").path
    }

    @Test func trainingIsByteIdenticalAndTheRegistryRoundTrips() throws {
        let bars = try FeaturePipelineTests.sample(700)
        let pipeline = ForecastPipeline(logger: Logger(label: "t"))
        let h = try Self.tinyHyperparameters()
        let a = Self.temp(), b = Self.temp()
        var first = try pipeline.train(bars: bars, dataPath: "sample", dataSHA256: "x", modelID: "m", hyperparameters: h)
        try first.write(to: a)
        var second = try pipeline.train(bars: bars, dataPath: "sample", dataSHA256: "x", modelID: "m", hyperparameters: h)
        try second.write(to: b)
        for f in ["weights.f64", "hyperparameters.json", "scaler.json", "metadata.json"] {
            let x = FileManager.default.contents(atPath: a + "/" + f), y = FileManager.default.contents(atPath: b + "/" + f)
            #expect(x != nil && x == y, "\(f)")
        }
        let loaded = try ModelRegistryEntry.load(directory: a)
        #expect(loaded.network == first.network)
        #expect(loaded.scaler == first.scaler)
        #expect(loaded.hyperparameters == h)
        #expect(loaded.metadata.trainingStart == first.metadata.trainingStart)
        #expect(loaded.metadata.trainingEnd == first.metadata.trainingEnd)
        #expect(loaded.metadata.trainingBars == first.metadata.trainingBars)
        #expect(loaded.metadata.trainingBars > 0)
    }

    @Test func theBundledModelKnowsItsTrainingBars() throws {
        let path = Self.root.path + "/models/registry/nvda-lstm-sample"
        let model = try ModelRegistryEntry.load(directory: path)
        #expect(Timestamps.iso8601(model.metadata.trainingStart) == "2015-01-02T09:30:00")
        #expect(Timestamps.iso8601(model.metadata.trainingEnd) == "2021-12-29T14:30:00")
        #expect(model.metadata.trainingBars == 12_333)
        let training = try #require(model.manifest(path: path).training)
        #expect(training.dataSHA256 == model.metadata.dataSHA256)
        let times = [try #require(Timestamps.parse("2021-12-29T13:30:00")), try #require(Timestamps.parse("2021-12-29T14:30:00")),
                     try #require(Timestamps.parse("2021-12-29T15:30:00"))]
        let inside = try #require(model.inSample(times.map { Prediction(time: $0, predictedPrice: 1, predictedReturn: 0) }))
        #expect(inside.count == 2)
        #expect(inside.last == times[1])
    }

    @Test func missingOrChangedFilesAreRefused() throws {
        let bars = try FeaturePipelineTests.sample(700)
        var model = try ForecastPipeline(logger: Logger(label: "t"))
            .train(bars: bars, dataPath: "s", dataSHA256: "x", modelID: "m", hyperparameters: try Self.tinyHyperparameters())
        let dir = Self.temp()
        try model.write(to: dir)
        var weights = try Data(contentsOf: URL(fileURLWithPath: dir + "/weights.f64"))
        weights[3] ^= 0x40
        try weights.write(to: URL(fileURLWithPath: dir + "/weights.f64"))
        do {
            _ = try ModelRegistryEntry.load(directory: dir)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("weights.f64: SHA-256"))
            #expect("\(error)".contains("corrupted or was changed"))
        }
        try FileManager.default.removeItem(atPath: dir + "/scaler.json")
        #expect(throws: ForecastError.self) { try ModelRegistryEntry.load(directory: dir) }
    }

    @Test func tooShortDataSaysHowManyBarsItNeeds() throws {
        let bars = try FeaturePipelineTests.sample(30)
        do {
            _ = try ForecastPipeline(logger: Logger(label: "t")).train(
                bars: bars, dataPath: "short.csv", dataSHA256: "x", modelID: "m",
                hyperparameters: try Self.tinyHyperparameters())
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("short.csv: 30 bars; training needs at least 40"))
        }
    }

    @Test func hyperparameterErrorsNameTheKey() {
        #expect(throws: ForecastError.self) { try ModelHyperparameters.parse("tstep: 5", file: "m.yaml") }
        let error = #expect(throws: ForecastError.self) {
            try ModelHyperparameters.parse("features: [log_return, momentum_3]", file: "m.yaml")
        }
        #expect(error.map { "\($0)" }?.contains("feature 'momentum_3'") == true)
    }

    @Test func bundledModelLoadsAndEvaluatesAgainstBaselines() throws {
        let model = try ModelRegistryEntry.load(directory: Self.root.path + "/models/registry/nvda-lstm-sample")
        let bars = try BarCSVLoader.load(path: Self.root.path + "/data/sample/NVDA_1h.csv", symbol: "NVDA").series
        let evaluation = try ForecastPipeline.evaluate(model, bars: bars.slice(start: nil, end: bars.time[13_999]))
        let scores = evaluation.scores
        #expect(scores.map(\.name) == ["model", "zero_return", "last_return", "ar1"])
        #expect(scores.allSatisfy { $0.count == scores[0].count && $0.count > 1_000 && $0.mse.isFinite })
        #expect(scores[1].directionalAccuracy == nil)
        // The sample model is trained on synthetic noise: the verdict must say it does not beat doing nothing.
        #expect(!evaluation.comparisons[0].beats)
        #expect(evaluation.comparisons[0].verdict.hasPrefix("does not beat zero_return"))
        #expect(evaluation.comparisons[0].verdict.contains("p = "))
    }
}
