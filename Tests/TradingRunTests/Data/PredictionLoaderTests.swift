import Testing
import TestSupport
@testable import TradingCore
@testable import TradingRun

@Suite struct PredictionLoaderTests {
    @Test func loadsAndAlignsByExactTime() throws {
        let bars = try BarCSVLoader.load(path: DataFixtures.good("iso_naive.csv"), symbol: "X").series
        let (predictions, skipped) = try PredictionCSVLoader.load(path: DataFixtures.good("predictions.csv"))
        #expect(skipped.isEmpty)
        #expect(predictions.map(\.predictedReturn) == [0.001, 0.0019, -0.01])
        #expect(predictions.map(\.predictedPrice) == [10.21, 10.62, 10.5])
        let aligned = PredictionCSVLoader.alignment(predictions, to: bars)
        #expect(aligned.predictedReturns[0] == 0.001)
        #expect(aligned.predictedReturns[1] == 0.0019)
        #expect(aligned.predictedReturns[2].isNaN)
        #expect(aligned.predictedPrices[1] == 10.62)
        #expect(aligned.missingBars == 1)
        #expect(aligned.unmatchedPredictions == 1)
        let simple = PredictionCSVLoader.align(predictions, to: bars)
        #expect(simple.missing == 1)
        #expect(simple.predictedReturns[0] == 0.001)
    }

    @Test func pandasExportWithExtraColumn() throws {
        let (predictions, _) = try PredictionCSVLoader.load(path: DataFixtures.good("predictions_pandas.csv"))
        #expect(predictions.count == 1)
        #expect(Timestamps.iso8601(predictions[0].time) == "2020-01-02T09:30:00")
    }

    @Test func badPredictionsFailWithClearErrors() throws {
        let nanPath = DataFixtures.bad("predictions_nan.csv")
        let nan = try #require(throws: DataLoadError.self) { try PredictionCSVLoader.load(path: nanPath) }
        #expect(nan.description == "\(nanPath):3: column predicted_return: predicted_return nan is not a finite number")
        let unsorted = try #require(throws: DataLoadError.self) {
            try PredictionCSVLoader.load(path: DataFixtures.bad("predictions_unsorted.csv"))
        }
        #expect(unsorted.issue.line == 4)
        #expect(unsorted.issue.column == "Time")
        #expect(unsorted.issue.message.contains("is earlier than line 3's 2020-01-02T11:30:00"))
        let skipped = try PredictionCSVLoader.load(path: nanPath, onBadRow: .skip)
        #expect(skipped.predictions.count == 1)
        #expect(skipped.skipped.map(\.line) == [3])
        let missing = try #require(throws: DataLoadError.self) {
            try PredictionCSVLoader.load(path: DataFixtures.good("iso_naive.csv"))
        }
        #expect(missing.issue.message.contains("missing columns predicted_price, predicted_return"))
    }

    @Test func samplePredictionsCoverEveryBarButTheLast() throws {
        let bars = try BarCSVLoader.load(path: DataFixtures.sample("NVDA_1h.csv"), symbol: "NVDA").series
        let (predictions, _) = try PredictionCSVLoader.load(path: DataFixtures.sample("NVDA_1h_predictions.csv"))
        let aligned = PredictionCSVLoader.alignment(predictions, to: bars)
        #expect(aligned.missingBars == 1)
        #expect(aligned.unmatchedPredictions == 0)
        #expect(aligned.predictedReturns.last?.isNaN == true)
    }
}
