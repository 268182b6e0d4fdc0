import Testing
import TradingCore
@testable import Forecast

/// The verdict `PredictSvc evaluate` prints: the Diebold–Mariano test and the comparisons built on it.
@Suite struct ForecastEvaluationTests {
    @Test func dieboldMarianoMatchesAHandComputedExample() {
        // Worked by hand: d = e_a² − e_b², mean −1.9917e-4, DM −2.0320 after the (T−1)/T correction, p 0.04216.
        let test = DieboldMariano(a: [0.01, -0.02, 0.005, 0, 0.03, -0.01], b: [0, 0, 0, 0, 0, 0],
                                  actual: [0.012, -0.018, -0.004, 0.002, 0.025, -0.015])
        #expect(test.count == 6)
        #expect(abs(test.meanLossDifference - -0.00019916666666666672) < 1e-15)
        #expect(abs(test.statistic - -2.031957394290324) < 1e-9)
        #expect(abs(test.pValue - 0.0421579693541878) < 1e-9)
    }

    @Test func identicalForecastsHaveNoStatistic() {
        let test = DieboldMariano(a: [0.1, 0.2, 0.3], b: [0.1, 0.2, 0.3], actual: [0, 0.1, 0.5])
        #expect(test.statistic.isNaN)
        #expect(test.pValue == 1)
    }

    /// Bars whose closes follow `returns`, one hour apart.
    static func bars(_ returns: [Double]) -> BarSeries {
        var close = 100.0
        var rows = [Bar(time: 0, open: close, high: close, low: close, close: close, volume: 1)]
        for (i, r) in returns.enumerated() {
            close *= 1 + r
            rows.append(Bar(time: Int64(i + 1) * 3_600_000_000_000, open: close, high: close, low: close,
                            close: close, volume: 1))
        }
        return BarSeries(symbol: "T", bars: rows)
    }

    static func noise(_ n: Int, seed: UInt64, scale: Double) -> [Double] {
        var rng = SeededRandom(seed: seed)
        return (0..<n).map { _ in (Double.random(in: -1...1, using: &rng)) * scale }
    }

    @Test func aForecasterThatKnowsTheNextReturnBeatsEveryBaseline() throws {
        let series = Self.bars(Self.noise(400, seed: 7, scale: 0.01))
        var predicted = [Double](repeating: .nan, count: series.count)
        for t in 1..<(series.count - 1) { predicted[t] = series.close[t + 1] / series.close[t] - 1 }
        let e = try ForecastEvaluation(bars: series, predictedReturns: predicted, from: 200, fitEnd: 200)
        #expect(e.scores.map(\.name) == ["model", "zero_return", "last_return", "ar1"])
        #expect(e.first == series.time[200])
        #expect(e.last == series.time[series.count - 2])
        #expect(e.comparisons.map(\.baseline) == ["zero_return", "last_return", "ar1"])
        #expect(e.comparisons.allSatisfy { $0.beats })
        #expect(e.comparisons[0].verdict.hasPrefix("beats zero_return (DM -"))
    }

    @Test func aForecasterThirtyTimesTooLoudIsSignificantlyWorse() throws {
        let series = Self.bars(Self.noise(400, seed: 11, scale: 0.001))
        var predicted = Self.noise(series.count, seed: 12, scale: 0.03)
        predicted[0] = .nan
        let e = try ForecastEvaluation(bars: series, predictedReturns: predicted, from: 1, fitEnd: 1,
                                       forecasterName: "predictions")
        // No bars before the first forecast: the AR(1) baseline cannot be fitted and is left out.
        #expect(e.scores.map(\.name) == ["predictions", "zero_return", "last_return"])
        #expect(!e.comparisons[0].beats)
        #expect(e.comparisons[0].verdict.hasPrefix("does not beat zero_return: significantly worse (DM "))
        #expect(e.comparisons[0].verdict.hasSuffix(", p = 0.0000)"))
    }

    @Test func fewerThanTwoForecastsIsAnError() {
        let series = Self.bars(Self.noise(10, seed: 1, scale: 0.01))
        var predicted = [Double](repeating: .nan, count: series.count)
        predicted[3] = 0.01
        #expect(throws: ForecastError.self) {
            try ForecastEvaluation(bars: series, predictedReturns: predicted, from: 0, fitEnd: 0)
        }
    }
}
