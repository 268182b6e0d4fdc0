import Foundation
import Logging
import Testing
@testable import TradingCore
@testable import TradingRun

/// Predictions whose times do not match the bars' fail the run, naming the first unmatched times of both files,
/// unless missing predictions are allowed.
@Suite struct PredictionCoverageTests {
    static let bars = """
        Time,Open,High,Low,Close,Volume
        2024-01-02T09:30:00,10,11,9,10,100
        2024-01-02T10:30:00,10,11,9,10,100
        2024-01-02T11:30:00,10,11,9,10,100
        2024-01-02T12:30:00,10,11,9,10,100

        """

    static func predictions(_ times: [String]) -> String {
        "Time,predicted_price,predicted_return\n" + times.map { "\($0),10.1,0.01\n" }.joined()
    }

    static let late = predictions(["2024-01-02T09:45:00", "2024-01-02T10:45:00", "2024-01-02T11:45:00",
                                   "2024-01-02T12:45:00"])

    static func alignment(_ text: String) throws -> PredictionAlignment {
        let series = try BarCSVLoader.parse(text: bars, file: "bars.csv", symbol: "X").series
        let (predictions, _) = try PredictionCSVLoader.parse(text: text, file: "p.csv")
        return PredictionCSVLoader.alignment(predictions, to: series)
    }

    @Test func predictionsOffTheBarsAreImplausibleAndSayWhere() throws {
        let a = try Self.alignment(Self.late)
        #expect(a.matched == 0)
        #expect(a.predictionsWithinBars == 3)
        #expect(!a.isPlausible)
        #expect(a.implausibility(predictionsFile: "p.csv", barsFile: "bars.csv") == "only 0 of the 3 predictions in "
            + "p.csv that fall within the bars' time range match a bar time in bars.csv (predictions are joined to "
            + "bars by exact time); first bar without a prediction: 2024-01-02T09:30:00 (bars.csv); first "
            + "prediction without a bar: 2024-01-02T09:45:00 (p.csv); set allow_missing_predictions: true (or "
            + "--allow-missing-predictions) to run anyway")
    }

    @Test func predictionsForPartOfTheBarsOrBeyondThemArePlausible() throws {
        let testPeriod = try Self.alignment(Self.predictions(["2024-01-02T11:30:00", "2024-01-02T12:30:00"]))
        #expect(testPeriod.isPlausible)
        #expect(testPeriod.missingBars == 2)
        #expect(testPeriod.firstBarWithoutPrediction == Timestamps.parse("2024-01-02T09:30:00"))
        #expect(testPeriod.firstPredictionWithoutBar == nil)
        let wider = try Self.alignment(Self.predictions(["2024-01-01T09:30:00", "2024-01-02T09:30:00",
                                                         "2024-01-02T10:30:00", "2024-01-02T11:30:00",
                                                         "2024-01-02T12:30:00", "2024-01-03T09:30:00"]))
        #expect(wider.isPlausible)
        #expect(wider.predictionsWithinBars == 4)
        #expect(wider.unmatchedPredictions == 2)
    }

    @Test func halfMatchingIsTheThreshold() throws {
        let half = try Self.alignment(Self.predictions(["2024-01-02T09:30:00", "2024-01-02T09:45:00",
                                                        "2024-01-02T10:30:00", "2024-01-02T10:45:00"]))
        #expect(half.matched == 2 && half.predictionsWithinBars == 4)
        #expect(half.isPlausible)
        let less = try Self.alignment(Self.predictions(["2024-01-02T09:30:00", "2024-01-02T09:45:00",
                                                        "2024-01-02T10:15:00", "2024-01-02T10:45:00"]))
        #expect(less.matched == 1 && less.predictionsWithinBars == 4)
        #expect(!less.isPlausible)
        let before = try Self.alignment(Self.predictions(["2023-12-29T09:30:00"]))
        #expect(before.predictionsWithinBars == 0)
        #expect(!before.isPlausible, "no prediction matches a bar")
    }

    @Test(.timeLimit(.minutes(1))) func aRunFailsUnlessMissingPredictionsAreAllowed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trademesh-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Self.bars.write(toFile: dir + "/bars.csv", atomically: true, encoding: .utf8)
        try Self.late.write(toFile: dir + "/p.csv", atomically: true, encoding: .utf8)
        let yaml = "data: \(dir)/bars.csv\npredictions: \(dir)/p.csv\n"
        let runner = BacktestRunner(codeVersion: "test", logger: Logger(label: "test"))
        let strict = try BacktestConfig.parse(yaml: yaml)
        #expect(!strict.allowMissingPredictions)
        let error = try #require(throws: ConfigError.self) { try runner.run(strict, outDirectory: dir + "/out") }
        #expect(error.key == "predictions")
        #expect(error.description.contains("first bar without a prediction: 2024-01-02T09:30:00 (\(dir)/bars.csv)"))
        #expect(error.description.contains("first prediction without a bar: 2024-01-02T09:45:00 (\(dir)/p.csv)"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
        // A replay checks the same before starting its services.
        #expect(throws: ConfigError.self) { try runner.loadInputs(strict, predicting: false) }

        let allowed = try BacktestConfig.parse(yaml: yaml + "allow_missing_predictions: true\n")
        #expect(allowed.canonicalJSON.contains("\"allow_missing_predictions\": true"))
        #expect(!strict.canonicalJSON.contains("allow_missing_predictions"), "run ids without the key are unchanged")
        let outcome = try runner.run(allowed, outDirectory: dir + "/out")
        #expect(outcome.metrics.barsWithoutPrediction == 4)
        #expect(outcome.metrics.numTrades == 0)
    }
}
