import TradingCore

/// Out-of-sample scores of a forecaster against naive baselines, and a verdict on each baseline.
///
/// Every forecast made on a bar's close is of the next bar's return (`close[t+1] / close[t] − 1`). The baselines:
/// `zero_return` (always 0), `last_return` (the return just seen) and `ar1` (an AR(1) fitted by least squares on
/// the bars before the scored range, when there are at least `minimumFit` of them). The forecaster beats a baseline when its mean squared error is lower and the
/// Diebold–Mariano test says so at `significance`.
public struct ForecastEvaluation: Sendable {
    /// The level below which a Diebold–Mariano p-value counts as significant.
    public static let significance = 0.05
    /// Pairs of returns needed before the scored range to fit the AR(1) baseline.
    public static let minimumFit = 30

    /// One baseline against the forecaster.
    public struct Comparison: Sendable, Equatable {
        public let baseline: String
        /// The forecaster (a) against the baseline (b); a negative statistic favours the forecaster.
        public let test: DieboldMariano

        /// Whether the forecaster's loss is lower and significantly so.
        public var beats: Bool { test.meanLossDifference < 0 && test.pValue < ForecastEvaluation.significance }

        /// One line for a person: "beats zero_return (DM -3.10, p = 0.0019)" or why not.
        public var verdict: String {
            let numbers = "DM " + format(test.statistic, 2) + ", p = " + format(test.pValue, 4)
            if beats { return "beats \(baseline) (\(numbers))" }
            if test.meanLossDifference < 0 {
                return "does not beat \(baseline): lower MSE, but not significantly (\(numbers))"
            }
            if test.pValue < ForecastEvaluation.significance {
                return "does not beat \(baseline): significantly worse (\(numbers))"
            }
            return "does not beat \(baseline) (\(numbers))"
        }
    }

    /// Bar times of the first and last scored forecasts.
    public let first: Int64
    public let last: Int64
    /// The forecaster's score first (named `forecasterName`), then one per baseline.
    public let scores: [ForecastScore]
    public let comparisons: [Comparison]

    /// Scores `predictedReturns` (one per bar, nan where there is none) on the bars from `firstIndex` on; the AR(1)
    /// baseline is fitted on the returns before `fitEnd`.
    /// - Throws: `ForecastError.notEnoughData` when fewer than two forecasts can be scored.
    public init(bars: BarSeries, predictedReturns: [Double], from firstIndex: Int, fitEnd: Int,
                forecasterName: String = "model") throws {
        precondition(predictedReturns.count == bars.count, "one predicted return per bar")
        let close = bars.close
        func ret(_ t: Int) -> Double { close[t] / close[t - 1] - 1 }
        // AR(1) on the fitting slice: r[t+1] = a + b·r[t]; left out when the slice is too short to fit it.
        var sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0, m = 0.0
        if fitEnd > 2 {
            for t in 1..<(fitEnd - 1) {
                let x = ret(t), y = ret(t + 1)
                sx += x; sy += y; sxx += x * x; sxy += x * y; m += 1
            }
        }
        let fitted = m >= Double(Self.minimumFit)
        let b = fitted ? (m * sxy - sx * sy) / max(1e-300, m * sxx - sx * sx) : 0
        let a = fitted ? (sy - b * sx) / m : 0
        let names = [forecasterName, "zero_return", "last_return"] + (fitted ? ["ar1"] : [])
        var forecasts = [[Double]](repeating: [], count: names.count)
        var actual: [Double] = []
        var times: [Int64] = []
        for t in max(firstIndex, 1)..<max(max(firstIndex, 1), bars.count - 1) {
            let value = predictedReturns[t]
            guard !value.isNaN else { continue }
            actual.append(ret(t + 1))
            times.append(bars.time[t])
            let row = [value, 0, ret(t), a + b * ret(t)]  // ar1, when left out, is never read
            for k in names.indices { forecasts[k].append(row[k]) }
        }
        guard actual.count >= 2, let first = times.first, let last = times.last else {
            throw ForecastError.notEnoughData("fewer than two forecasts to score out of sample")
        }
        self.first = first
        self.last = last
        scores = names.indices.map { k in
            var s = ForecastScore(name: names[k])
            for t in actual.indices { s.add(forecast: forecasts[k][t], actual: actual[t]) }
            return s
        }
        comparisons = names.indices.dropFirst().map { k in
            Comparison(baseline: names[k], test: DieboldMariano(a: forecasts[0], b: forecasts[k], actual: actual))
        }
    }
}

/// A number with `digits` decimals (or "n/a"), without Foundation's locale-dependent formatting.
private func format(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return "n/a" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(x) * scale).rounded()
    let whole = Int(scaled / scale)
    let fraction = Int(scaled - Double(whole) * scale)
    let padded = String(fraction)
    let zeros = String(repeating: "0", count: max(0, digits - padded.count))
    return (x < 0 && scaled > 0 ? "-" : "") + "\(whole)." + zeros + padded
}
